import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestingModule } from '@nestjs/testing';
import { CommandTestFactory } from 'nest-commander-testing';
import { sharedClusterDatabase } from './support/postgres';
import { AppConfig, loadConfig } from '@clawdforge/core';
import { CliModule } from '../apps/cli/src/cli.module';
import { CliPrinter } from '../apps/cli/src/cli-printer';
import { CLI_PACKAGES, pinnedCliVersions } from '@clawdforge/runners';
import { assertBuilt, freePort, npmCli, npmStart, waitForHealth } from './support/built-server';
import { ADMIN_TOKEN, FAKE_CLI_DIR, makeDataDir, startTestApp } from './support/test-app';

/** Records what commands print. */
class RecordingPrinter extends CliPrinter {
  stdout: string[] = [];
  stderr: string[] = [];
  override out(line: string): void {
    this.stdout.push(line);
  }
  override err(line: string): void {
    this.stderr.push(line);
  }
}

describe('admin CLI (CommandTestFactory, same database as the server)', () => {
  const dataDir = makeDataDir();
  const env: Record<string, string> = {
    ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
    DATA_DIR: dataDir,
    CLAUDE_BIN: path.join(FAKE_CLI_DIR, 'claude'),
    ACPX_BIN: path.join(FAKE_CLI_DIR, 'acpx'),
  };
  let config: AppConfig;
  const printer = new RecordingPrinter();

  beforeAll(async () => {
    // In the PostgreSQL pass, the database the test app on this DATA_DIR uses too.
    Object.assign(env, await sharedClusterDatabase(dataDir));
    config = loadConfig(env);
  });

  beforeEach(() => {
    printer.stdout = [];
    printer.stderr = [];
    process.exitCode = 0;
  });
  afterAll(() => {
    process.exitCode = 0;
  });

  /** Like one `clawdforge …` invocation: a fresh application (commander keeps option values between parses), closed after. */
  const run = (...argv: string[]) => runWith(config, ...argv);
  const runWith = async (appConfig: AppConfig, ...argv: string[]) => {
    const cli: TestingModule = await CommandTestFactory.createTestingCommand({ imports: [CliModule] })
      .overrideProvider(AppConfig)
      .useValue(appConfig)
      .overrideProvider(CliPrinter)
      .useValue(printer)
      .compile();
    await CommandTestFactory.run(cli, argv);
  };

  it('mints a token, printing the plaintext once on stdout, and lists it without it', async () => {
    await run('tokens', 'create', 'cauldron', '--cidr', '172.24.0.0/16', '--cidr', '::1');
    expect(printer.stdout).toEqual([expect.stringMatching(/^cf_[A-Za-z0-9_-]{43}$/)]);
    expect(printer.stderr[0]).toContain('minted "cauldron" for 172.24.0.0/16, ::1/128');
    const plaintext = printer.stdout[0];

    printer.stdout = [];
    await run('tokens', 'list', '--json');
    const listed = JSON.parse(printer.stdout[0]);
    expect(listed).toEqual([expect.objectContaining({ name: 'cauldron', ip_cidrs: ['172.24.0.0/16', '::1/128'], revoked_at: null })]);
    expect(printer.stdout.join('\n')).not.toContain(plaintext);

    printer.stdout = [];
    await run('tokens', 'list');
    expect(printer.stdout[0]).toMatch(/^NAME\s+STATUS\s+IP_CIDRS/);
    expect(printer.stdout[1]).toMatch(/^cauldron\s+live\s+172\.24\.0\.0\/16,::1\/128/);
  });

  it('fails in one line with exit code 1: a taken name, a bad name, a bad CIDR, an unknown token', async () => {
    for (const argv of [
      ['tokens', 'create', 'cauldron'],
      ['tokens', 'create', 'Bad Name'],
      ['tokens', 'create', 'okname', '--cidr', '10.0.0.0/99'],
      ['tokens', 'revoke', 'nobody'],
      ['sessions', 'list', '--token', 'nobody'],
    ]) {
      printer.stderr = [];
      process.exitCode = 0;
      await run(...argv);
      expect({ argv, exit: process.exitCode, lines: printer.stderr.length }).toEqual({ argv, exit: 1, lines: 1 });
      expect(printer.stderr[0]).toMatch(/^error: /);
    }
  });

  it('revokes, and shows the token as revoked', async () => {
    await run('tokens', 'create', 'temp');
    await run('tokens', 'revoke', 'temp');
    expect(printer.stdout.at(-1)).toMatch(/^revoked "temp" at \d{4}-/);
    printer.stdout = [];
    await run('tokens', 'list', '--json');
    expect(JSON.parse(printer.stdout[0]).find((t: { name: string }) => t.name === 'temp').revoked_at).not.toBeNull();
  });

  it('sweeps once, and lists sessions and files (none yet)', async () => {
    await run('sweep');
    expect(printer.stdout).toEqual(['expired files removed: 0; idle sessions closed: 0; closed sessions deleted: 0; audit rows pruned: 0; idempotency keys expired: 0; background runs expired: 0']);
    printer.stdout = [];
    await run('sessions', 'list', '--token', 'cauldron');
    expect(printer.stdout).toEqual([expect.stringMatching(/^SESSION\s+TOKEN\s+AGENT/)]);
    printer.stdout = [];
    await run('files', 'list');
    expect(printer.stdout).toEqual([expect.stringMatching(/^FILE_TOKEN\s+TOKEN\s+NAME/)]);
  });

  it('lists files and sessions the server holds, as a table for people and as JSON with --json', async () => {
    const server = await startTestApp({}, { dataDir });
    let fileToken: string;
    let sessionId: string;
    try {
      const token = await server.mintToken('lister');
      fileToken = (await server.http().post('/files').set('Authorization', `Bearer ${token}`).attach('file', Buffer.from('notes'), 'notes.txt').expect(201)).body.file_token;
      sessionId = (await server.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({}).expect(201)).body.session_id;
    } finally {
      await server.close();
    }
    await run('files', 'list', '--token', 'lister');
    expect(printer.stdout).toEqual([expect.stringMatching(/^FILE_TOKEN\s+TOKEN\s+NAME\s+TYPE\s+SIZE\s+EXPIRES$/), expect.stringMatching(new RegExp(`^${fileToken}\\s+lister\\s+notes\\.txt\\s+text/plain`))]);
    printer.stdout = [];
    await run('files', 'list', '--token', 'lister', '--json');
    expect(JSON.parse(printer.stdout[0])).toEqual([expect.objectContaining({ token: 'lister', file_token: fileToken, name: 'notes.txt', size: 5, media_type: expect.stringMatching(/^text\/plain/) })]);
    printer.stdout = [];
    await run('sessions', 'list', '--token', 'lister');
    expect(printer.stdout[1]).toMatch(new RegExp(`^${sessionId}\\s+lister\\s+claude\\s+sonnet\\s+(open|closed)\\s+0\\s`));
    printer.stdout = [];
    await run('sessions', 'list', '--token', 'lister', '--json');
    expect(JSON.parse(printer.stdout[0])).toEqual([expect.objectContaining({ token: 'lister', session_id: sessionId, agent: 'claude', model: 'sonnet', turn_count: 0 })]);
  });

  it('doctor reports each check on its own line and fails on a missing login', async () => {
    const saved = { key: process.env.ANTHROPIC_API_KEY, dir: process.env.CLAUDE_CONFIG_DIR };
    delete process.env.ANTHROPIC_API_KEY;
    process.env.CLAUDE_CONFIG_DIR = path.join(dataDir, 'no-login-here');
    try {
      await run('doctor');
    } finally {
      process.env.ANTHROPIC_API_KEY = saved.key;
      if (saved.key === undefined) delete process.env.ANTHROPIC_API_KEY;
      process.env.CLAUDE_CONFIG_DIR = saved.dir;
      if (saved.dir === undefined) delete process.env.CLAUDE_CONFIG_DIR;
    }
    const byCheck = Object.fromEntries(printer.stdout.map((line) => [line.replace(/^(ok|FAIL)\s+/, '').split(':')[0], line.split(/\s+/)[0]]));
    expect(byCheck).toEqual({
      configuration: 'ok',
      'admin token': 'ok',
      database: 'ok',
      DATA_DIR: 'ok',
      FILES_DIR: 'ok',
      RUNS_DIR: 'ok',
      ACPX_SESSIONS_CWD: 'ok',
      ACPX_HOME: 'ok',
      claude: 'ok',
      acpx: 'ok',
      'claude login': 'FAIL',
      'agent confinement': 'ok',
      'Claude ACP adapter': 'ok',
    });
    // Each failing check says how to fix it, on its own line.
    const failing = printer.stdout.filter((line) => line.startsWith('FAIL'));
    expect(failing).toEqual([expect.stringMatching(/^FAIL {2}claude login: not logged in.* — fix: run "CLAUDE_CONFIG_DIR=\S+ claude \/login" as the server's user/)]);
    expect(printer.stdout.filter((line) => line.startsWith('ok')).every((line) => !line.includes('— fix:'))).toBe(true);
    expect(process.exitCode).toBe(1);
  });

  it('doctor warns, without failing, when an installed CLI is not the version package.json pins', async () => {
    const dir = makeDataDir();
    // An operator's `npm i -g`: a claude of another version, and an adapter package of another version.
    const claude = path.join(dir, 'claude');
    fs.writeFileSync(claude, `#!/bin/sh\nif [ "$1" = --version ]; then echo '9.8.7 (Claude Code)'; exit 0; fi\nexec '${path.join(FAKE_CLI_DIR, 'claude')}' "$@"\n`, { mode: 0o755 });
    const adapter = path.join(dir, 'node_modules', ...CLI_PACKAGES.claudeAcp.split('/'));
    fs.mkdirSync(adapter, { recursive: true });
    fs.writeFileSync(path.join(adapter, 'package.json'), JSON.stringify({ name: CLI_PACKAGES.claudeAcp, version: '0.1.0' }));
    fs.writeFileSync(path.join(adapter, 'index.js'), '', { mode: 0o755 });
    const saved = process.env.ANTHROPIC_API_KEY;
    // The fake claude is logged in when an API key reaches it.
    process.env.ANTHROPIC_API_KEY = 'sk-ant-test';
    try {
      await runWith(loadConfig({ ...env, CLAUDE_BIN: claude, CLAUDE_ACP_BIN: path.join(adapter, 'index.js') }), 'doctor');
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved;
    }
    const pinned = pinnedCliVersions();
    const line = (check: string) => printer.stdout.find((said) => said.replace(/^\S+\s+/, '').startsWith(`${check}:`));
    expect(line('claude')).toBe(
      `WARN  claude: ${CLI_PACKAGES.claude} is 9.8.7, not the ${pinned.claude} package.json pins and the tests passed with: "npm ci" restores the pinned one (a pin moves only after "npm run compat" passes) (${claude})`,
    );
    expect(line('acpx')).toBe(`ok    acpx: ${pinned.acpx} (${path.join(FAKE_CLI_DIR, 'acpx')})`);
    expect(line('Claude ACP adapter')).toMatch(/^WARN {2}Claude ACP adapter: /);
    expect(line('Claude ACP adapter')).toContain(`${CLI_PACKAGES.claudeAcp} is 0.1.0, not the ${pinned.claudeAcp} package.json pins`);
    expect(printer.stdout.filter((said) => said.startsWith('FAIL'))).toEqual([]);
    expect(process.exitCode).toBe(0);
  });

  it('mints a token with limits, updates them ("none" lifts one), and reports usage', async () => {
    await run('tokens', 'create', 'scribe', '--model', 'haiku', '--model', 'sonnet', '--budget-day', '5', '--rpm', '30');
    expect(printer.stdout).toEqual([expect.stringMatching(/^cf_/)]);
    printer.stdout = [];
    await run('tokens', 'update', 'scribe', '--budget-day', 'none', '--max-concurrent', '2', '--budget-month', '0.5');
    expect(JSON.parse(printer.stdout[0])).toMatchObject({
      name: 'scribe',
      models: ['haiku', 'sonnet'],
      runs_per_minute: 30,
      budget_usd_day: null,
      budget_usd_month: 0.5,
      max_concurrent_runs: 2,
    });
    printer.stdout = [];
    await run('tokens', 'list');
    expect(printer.stdout.find((line) => line.startsWith('scribe '))).toMatch(/\slive\s+-\s+models=haiku,sonnet concurrent=2 rpm=30 month=\$0\.5\s/);
    printer.stdout = [];
    for (const [flags, said] of [
      [['--model', 'gpt-4'], '"gpt-4" is not a model alias'],
      [['--rpm', '1.5'], '--rpm takes a whole number'],
      [['--budget-month', '-2'], '--budget-month takes dollars'],
      [['--cidr', '10.0.0.0/99'], 'is not an IP address or CIDR range'],
    ] as const) {
      await run('tokens', 'update', 'scribe', ...flags);
      expect(printer.stderr.at(-1)).toContain(said);
      expect(process.exitCode).toBe(1);
      process.exitCode = 0;
    }
    printer.stdout = [];
    await run('usage', '--token', 'scribe', '--json');
    expect(JSON.parse(printer.stdout[0])).toEqual([]);
  });

  it('reads the audit rows the server wrote to the same database', async () => {
    const server = await startTestApp({}, { dataDir });
    try {
      await server.http().get('/admin/tokens').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
      await server.http().get('/admin/tokens').expect(401);
    } finally {
      await server.close();
    }
    await run('audit', 'tail', '--limit', '2', '--route', '/admin/tokens');
    expect(printer.stdout).toEqual([
      expect.stringMatching(/^AT\s+TOKEN\s+METHOD\s+ROUTE\s+STATUS\s+MS\s+ERROR\s+DETAIL$/),
      expect.stringMatching(/\sadmin\s+GET\s+\/admin\/tokens\s+200\s/),
      expect.stringMatching(/\s-\s+GET\s+\/admin\/tokens\s+401\s.*missing_token/),
    ]);
    // Columns line up: each field starts where its header does.
    const statusAt = printer.stdout[0].indexOf('STATUS') + 'STATUS'.length;
    expect(printer.stdout.slice(1).map((line) => line.slice(statusAt - 3, statusAt))).toEqual(['200', '401']);
    printer.stdout = [];
    await run('audit', 'tail', '--limit', '2', '--route', '/admin/tokens', '--json');
    expect(printer.stdout.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ token_name: 'admin', method: 'GET', route: '/admin/tokens', status: 200, error_code: null }),
      expect.objectContaining({ token_name: null, status: 401, error_code: 'missing_token' }),
    ]);
  });
});

describe('npm run cli beside npm start', () => {
  beforeAll(assertBuilt);

  it('mints and revokes tokens and closes sessions without the admin token while the server runs, and the server follows on the next request', async () => {
    const home = makeDataDir();
    const port = await freePort();
    const shared = { DATA_DIR: path.join(home, 'data'), CLAUDE_BIN: path.join(FAKE_CLI_DIR, 'claude'), ACPX_BIN: path.join(FAKE_CLI_DIR, 'acpx') };
    const server = npmStart(home, { ...shared, ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, PORT: String(port), HOST: '127.0.0.1' });
    try {
      await waitForHealth(port, server);
      const cli = npmCli(home, shared, ['tokens', 'create', 'from-cli']);
      expect(cli.status).toBe(0);
      const token = /^cf_\S+$/m.exec(cli.stdout)?.[0];
      expect(token).toMatch(/^cf_[A-Za-z0-9_-]{43}$/);
      const res = await fetch(`http://127.0.0.1:${port}/run`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'hello from the CLI' }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { result: string }).result).toBe('You said: hello from the CLI');

      // The server keeps the token's first page of sessions; a close by the CLI shows on the very next request.
      const list = () => fetch(`http://127.0.0.1:${port}/sessions`, { headers: { Authorization: `Bearer ${token}` } });
      // The CLI runs synchronously: a kept-alive socket the server closed meanwhile must be seen closed
      // (read in the next turn of the event loop) before the next request, or fetch reuses it.
      const cliThen = async (args: string[]) => {
        const result = npmCli(home, shared, args);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return result;
      };
      const created = await fetch(`http://127.0.0.1:${port}/sessions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({}),
      });
      expect(created.status).toBe(201);
      const sessionId = ((await created.json()) as { session_id: string }).session_id;
      const statusOf = async () => ((await (await list()).json()) as { items: { session_id: string; status: string }[] }).items.find((item) => item.session_id === sessionId)?.status;
      expect(await statusOf()).toBe('open');
      expect(await statusOf()).toBe('open');
      expect((await cliThen(['sessions', 'close', sessionId])).status).toBe(0);
      expect(await statusOf()).toBe('closed');

      // The server knows the token now (it is cached); a revocation by the CLI still applies to the very next request.
      expect((await list()).status).toBe(200);
      expect((await cliThen(['tokens', 'revoke', 'from-cli'])).status).toBe(0);
      expect((await list()).status).toBe(401);

      const bad = npmCli(home, { ...shared, ALLOW_CIDRS: '10.0.0.0/99' }, ['tokens', 'list']);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain('clawdforge: invalid configuration: ALLOW_CIDRS has "10.0.0.0/99"');
    } finally {
      server.stop();
      await server.exited;
    }
    // Four runs of the CLI one after the other, each a whole Nest start: on a machine busy with other work, more than the tier's 30 s.
  }, 90_000);
});
