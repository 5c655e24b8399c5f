import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertBuilt, freePort, runBuiltServer, waitForHealth } from './support/built-server';
import { ADMIN_TOKEN, makeDataDir } from './support/test-app';

describe('the built server (npm start)', () => {
  beforeAll(assertBuilt);

  it.each([
    [{}, 'invalid configuration: ADMIN_BOOTSTRAP_TOKEN is required'],
    [{ ADMIN_BOOTSTRAP_TOKEN: 'too-short' }, 'invalid configuration: ADMIN_BOOTSTRAP_TOKEN must be at least 24 characters'],
    [{ ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, ALLOW_CIDRS: '10.0.0.0/99' }, 'invalid configuration: ALLOW_CIDRS has "10.0.0.0/99"'],
  ])('refuses to start on %j with one line naming the variable', async (env, line) => {
    const server = runBuiltServer(makeDataDir(), env as Record<string, string>);
    const { code } = await server.exited;
    expect(code).toBe(1);
    const lines = server.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(line);
    expect(server.output()).not.toContain('too-short');
  });

  it('reads .env from its working directory, the environment winning', async () => {
    const cwd = makeDataDir();
    fs.writeFileSync(path.join(cwd, '.env'), `ADMIN_BOOTSTRAP_TOKEN=${ADMIN_TOKEN}\nPORT=not-a-port\n`);
    const server = runBuiltServer(cwd, {});
    expect((await server.exited).code).toBe(1);
    expect(server.output()).toContain('invalid configuration: PORT must be a whole number');
  });

  it('serves /healthz and /docs with only the admin token set, and stops cleanly on SIGTERM', async () => {
    const cwd = makeDataDir();
    const port = await freePort();
    const server = runBuiltServer(cwd, { ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, PORT: String(port), HOST: '127.0.0.1' });
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
      expect(fs.existsSync(path.join(cwd, 'data', 'clawdforge.db'))).toBe(true);
      token = ((await minted.json()) as { token: string }).token;
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const logs = server.output();
    expect(logs).toContain('"msg":"request completed"');
    expect(logs).toContain('"authorization":"[redacted]"');
    expect(logs).not.toContain(ADMIN_TOKEN);
    expect(logs).not.toContain(token);
  });
});
