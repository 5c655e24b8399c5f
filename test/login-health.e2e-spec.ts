import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandTestFactory } from 'nest-commander-testing';
import { AppConfig } from '@clawdforge/core';
import { CliVersionsService } from '@clawdforge/health';
import { CliModule } from '../apps/cli/src/cli.module';
import { CliPrinter } from '../apps/cli/src/cli-printer';
import { startTestApp, TestApp } from './support/test-app';

const REAL_CLAUDE = path.join(__dirname, '..', 'node_modules', '.bin', 'claude');
const API_KEY = 'sk-ant-test';

/** The real pinned claude's `auth status`, in a HOME of its own; the server's children inherit process.env through the allowlist. */
describe('claude login in /healthz and doctor (real claude CLI)', () => {
  const saved = { ...process.env };
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-login-home-'));
  const configDir = path.join(home, '.claude');
  let t: TestApp;

  const withoutLogin = () => {
    for (const name of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN']) delete process.env[name];
  };

  beforeAll(async () => {
    Object.assign(process.env, { HOME: home, CLAUDE_CONFIG_DIR: configDir, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' });
    withoutLogin();
    t = await startTestApp({ CLAUDE_BIN: REAL_CLAUDE, CLAUDE_CONFIG_DIR: configDir, HEALTH_PROBE_INTERVAL_SECS: '3600' });
  });
  afterAll(async () => {
    await t.close();
    process.env = saved;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('stays 200 with claude_logged_in false when there is no login', async () => {
    const res = await t.http().get('/healthz').expect(200);
    expect(res.body).toMatchObject({ ok: true, claude_present: true, claude_logged_in: false, claude_login: null });
  });

  it('reports the login once an API key reaches the children, without the key', async () => {
    process.env.ANTHROPIC_API_KEY = API_KEY;
    try {
      await t.app.get(CliVersionsService).refresh();
      const res = await t.http().get('/healthz').expect(200);
      expect(res.body).toMatchObject({ ok: true, claude_logged_in: true, claude_login: { method: 'api_key', expires_at: null } });
      expect(res.text).not.toContain(API_KEY);
    } finally {
      withoutLogin();
      await t.app.get(CliVersionsService).refresh();
    }
    expect((await t.http().get('/healthz').expect(200)).body.claude_logged_in).toBe(false);
  });

  it('doctor prints the same probe as one line, with the fix when the login is missing', async () => {
    const lines: string[] = [];
    const doctor = async () => {
      lines.length = 0;
      const cli = await CommandTestFactory.createTestingCommand({ imports: [CliModule] })
        .overrideProvider(AppConfig)
        .useValue(t.config)
        .overrideProvider(CliPrinter)
        .useValue({ out: (line: string) => lines.push(line), err: () => undefined })
        .compile();
      await CommandTestFactory.run(cli, ['doctor']);
      return lines.filter((line) => /^(ok|FAIL)\s+claude login:/.test(line));
    };
    try {
      expect(await doctor()).toEqual([expect.stringMatching(/^FAIL {2}claude login: not logged in — fix: run "CLAUDE_CONFIG_DIR=\S+ claude \/login" as the server's user/)]);
      process.env.ANTHROPIC_API_KEY = API_KEY;
      expect(await doctor()).toEqual(['ok    claude login: logged in with api_key']);
    } finally {
      withoutLogin();
      process.exitCode = 0;
    }
  });
});
