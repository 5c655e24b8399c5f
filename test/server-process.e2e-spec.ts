import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertBuilt, freePort, npmStart, PROJECT_ROOT, runBuiltEntry, waitForHealth } from './support/built-server';
import { ADMIN_TOKEN, makeDataDir } from './support/test-app';

describe('npm start', () => {
  beforeAll(assertBuilt);

  it.each([
    [{}, 'invalid configuration: ADMIN_BOOTSTRAP_TOKEN is required'],
    [{ ADMIN_BOOTSTRAP_TOKEN: 'too-short' }, 'invalid configuration: ADMIN_BOOTSTRAP_TOKEN must be at least 24 characters'],
    [{ ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, ALLOW_CIDRS: '10.0.0.0/99' }, 'invalid configuration: ALLOW_CIDRS has "10.0.0.0/99"'],
  ])('refuses to start on %j with one line naming the variable', async (env, line) => {
    const home = makeDataDir();
    const server = npmStart(home, { DATA_DIR: path.join(home, 'data'), ...env } as Record<string, string>);
    const { code } = await server.exited;
    expect(code).not.toBe(0);
    const ours = server.output().split('\n').filter((l) => l.startsWith('clawdforge:'));
    expect(ours).toEqual([expect.stringContaining(line)]);
    expect(server.output()).not.toMatch(/^\s+at /m);
    expect(server.output()).not.toContain('too-short');
  });

  it('serves /healthz and /docs with only the admin token set, takes 1-second sweeper settings, and stops cleanly on SIGTERM', async () => {
    const home = makeDataDir();
    const dataDir = path.join(home, 'data');
    const port = await freePort();
    const server = npmStart(home, {
      ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CLAWDFORGE_SESSION_TTL_SECS: '2',
      CLAWDFORGE_SESSION_HARD_TTL_SECS: '1',
      CLAWDFORGE_SWEEP_INTERVAL_SECS: '1',
    });
    let token = 'cf_unset';
    try {
      const health = await waitForHealth(port, server);
      expect(health.status).toBe(200);
      const body = (await health.json()) as Record<string, unknown>;
      // The project's own pinned CLIs are found without CLAUDE_BIN / ACPX_BIN.
      expect(body).toMatchObject({ ok: true, db_ok: true, claude_present: true, acpx_present: true });
      expect(body.claude_version).toMatch(/^\d+\.\d+\.\d+ \(Claude Code\)$/);
      expect(body.acpx_version).toMatch(/^\d+\.\d+\.\d+/);

      const docs = await fetch(`http://127.0.0.1:${port}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger');

      const minted = await fetch(`http://127.0.0.1:${port}/admin/tokens`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'smoke' }),
      });
      expect(minted.status).toBe(201);
      expect(fs.existsSync(path.join(dataDir, 'clawdforge.db'))).toBe(true);
      token = ((await minted.json()) as { token: string }).token;
    } finally {
      server.stop('SIGTERM');
    }
    // npm passes the signal on and then ends by it itself; the server's own ending is in its log.
    expect(await server.exited).toEqual({ code: null, signal: 'SIGTERM' });
    const logs = server.output();
    expect(logs).toContain('"msg":"clawdforge stopped"');
    expect(logs).not.toContain('shutdown failed');
    expect(logs).toContain('> node dist/apps/server/src/main.js');
    expect(logs).toContain('"msg":"request completed"');
    // At the default level a request's line names its client, not its headers (credentials included).
    expect(logs).toMatch(/"msg":"request completed"/);
    expect(logs).toContain('"user-agent":');
    expect(logs).not.toContain('"authorization"');
    expect(logs).toContain('SIGTERM: shutting down');
    const warnings = logs.split('\n').filter((line) => line.includes('sweeper settings under 60 s'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('CLAWDFORGE_SWEEP_INTERVAL_SECS=1, CLAWDFORGE_SESSION_TTL_SECS=2, CLAWDFORGE_SESSION_HARD_TTL_SECS=1');
    expect(logs).not.toContain(ADMIN_TOKEN);
    expect(logs).not.toContain(token);
  });
});

describe('the file npm start runs', () => {
  beforeAll(assertBuilt);

  it('reads .env from its working directory, the environment winning', async () => {
    const cwd = makeDataDir();
    fs.writeFileSync(path.join(cwd, '.env'), `ADMIN_BOOTSTRAP_TOKEN=${ADMIN_TOKEN}\nPORT=not-a-port\n`);
    const server = runBuiltEntry(cwd, {});
    expect((await server.exited).code).toBe(1);
    expect(server.output()).toContain('invalid configuration: PORT must be a whole number');
  });

  it('is the one the start script, the cli script, the bin entry and the Dockerfile all name', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
    const dockerCmd = /^CMD \["node", "([^"]+)"\]$/m.exec(fs.readFileSync(path.join(PROJECT_ROOT, 'docker', 'Dockerfile'), 'utf8'))?.[1];
    const entries = [/^node (\S+)$/.exec(pkg.scripts.start)?.[1], dockerCmd, /^node (\S+)$/.exec(pkg.scripts.cli)?.[1], pkg.bin.clawdforge];
    expect(entries.every((entry) => entry !== undefined && fs.existsSync(path.join(PROJECT_ROOT, entry)))).toBe(true);
    expect(path.join(PROJECT_ROOT, entries[0]!)).toBe(path.join(PROJECT_ROOT, dockerCmd!));
    expect(entries[2]).toBe(entries[3]);
    expect(fs.readFileSync(path.join(PROJECT_ROOT, entries[3]!), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });
});
