import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliVersionsService } from '@clawdforge/health';
import { ClaudeWarmPool, pinnedCliVersions } from '@clawdforge/runners';
import { eventually } from './support/processes';
import { FAKE_CLI_DIR, makeDataDir, startTestApp, TestApp } from './support/test-app';

/** The fake CLIs print the versions package.json pins. */
const PINNED = pinnedCliVersions();

describe('/healthz', () => {
  describe('with both CLIs present', () => {
    let t: TestApp;
    const savedKey = process.env.ANTHROPIC_API_KEY;
    beforeAll(async () => {
      // The server's children see ANTHROPIC_* from its environment: the fake claude then says it is logged in.
      process.env.ANTHROPIC_API_KEY = 'sk-ant-test';
      t = await startTestApp();
    });
    afterAll(async () => {
      await t.close();
      if (savedKey === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = savedKey;
    });

    it('reports versions, the database and the app version, without a token', async () => {
      const res = await t.http().get('/healthz').expect(200);
      expect(res.body).toEqual({
        ok: true,
        version: require('../package.json').version,
        claude_present: true,
        claude_version: `${PINNED.claude} (Claude Code)`,
        acpx_present: true,
        acpx_version: PINNED.acpx,
        db_ok: true,
        claude_logged_in: true,
        claude_login: { method: 'api_key', expires_at: null },
        agents: { file_tools: 'restricted', session_permissions: 'approve-reads', shell_sandbox: 'not_needed', unsandboxed_agents: false },
        audit_write_failures: 0,
        cli_children: expect.any(Number),
        warm_pool: { spares: expect.any(Number), warm_runs: 0, cold_runs: 0, session_clients: 0 },
        tool_runs: { running: 0, parked: 0 },
        claude_logins: [{ index: 0, label: 'default', logged_in: true, runs_in_flight: 0, cooling_until: null }],
      });
      // The default configuration's spare, once started, is the one child.
      expect(await eventually(() => t.app.get(ClaudeWarmPool).spares === 1)).toBe(true);
      expect((await t.http().get('/healthz')).body).toMatchObject({ cli_children: 1, warm_pool: { spares: 1 } });
    });
  });

  it('reports missing CLIs as absent', async () => {
    const t = await startTestApp({ CLAUDE_BIN: '/nonexistent/claude', ACPX_BIN: 'clawdforge-no-such-acpx' });
    try {
      const res = await t.http().get('/healthz').expect(200);
      expect(res.body).toMatchObject({ ok: true, claude_present: false, claude_version: null, acpx_present: false, acpx_version: null });
    } finally {
      await t.close();
    }
  });

  it('reports a CLI whose --version fails as present without a version', async () => {
    const t = await startTestApp({ CLAUDE_BIN: path.join(FAKE_CLI_DIR, 'broken-version') });
    try {
      const res = await t.http().get('/healthz').expect(200);
      expect(res.body).toMatchObject({ claude_present: true, claude_version: null, acpx_present: true });
    } finally {
      await t.close();
    }
  });

  it('never spawns a process per request; versions refresh in the background', async () => {
    const dir = makeDataDir();
    const bin = path.join(dir, 'counting-version');
    fs.copyFileSync(path.join(FAKE_CLI_DIR, 'counting-version'), bin);
    fs.chmodSync(bin, 0o755);
    const calls = () => fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n').length;

    // No warm pool: its spare would be one more start of this counting CLI.
    const t = await startTestApp({ CLAUDE_BIN: bin, ACPX_BIN: bin, HEALTH_PROBE_INTERVAL_SECS: '3600', RUN_WARM_POOL: '0' });
    // Each refresh asks for both versions and for the claude login: three processes.
    try {
      expect(calls()).toBe(3);
      const answers = await Promise.all(Array.from({ length: 50 }, () => t.http().get('/healthz')));
      expect(answers.every((r) => r.status === 200 && r.body.claude_version === '9.9.9 (counting)')).toBe(true);
      expect(calls()).toBe(3);

      await t.app.get(CliVersionsService).refresh();
      expect(calls()).toBe(6);
    } finally {
      await t.close();
    }
  });
});
