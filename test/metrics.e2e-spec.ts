import { DataSource } from 'typeorm';
import { AuditService } from '@clawdforge/audit';
import { Metrics } from '@clawdforge/metrics';
import { AgentSession } from '@clawdforge/sessions';
import { ADMIN_TOKEN, startTestApp, TestApp } from './support/test-app';

const METRICS_TOKEN = 'metrics-scraper-0123456789';

describe('GET /metrics', () => {
  describe('without METRICS_TOKEN (the IP allowlist only)', () => {
    let t: TestApp;
    beforeAll(async () => {
      // No warm spare: every gauge starts at an exact zero.
      t = await startTestApp({ RUN_WARM_POOL: '0' });
    });
    afterAll(() => t.close());

    it('serves Prometheus text without a token: our gauges and the default process metrics', async () => {
      const res = await t.http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain;/);
      expect(res.headers['content-type']).toContain('version=0.0.4');
      for (const sample of [
        'clawdforge_run_queue_depth 0',
        'clawdforge_runs_running 0',
        'clawdforge_cli_children 0',
        'clawdforge_warm_spares 0',
        'clawdforge_sessions_open 0',
        'clawdforge_login_runs_in_flight{login="default"} 0',
        'clawdforge_login_cooling{login="default"} 0',
      ]) {
        expect(res.text).toContain(`\n${sample}\n`);
      }
      expect(res.text).toMatch(/^process_cpu_seconds_total \d/m);
      expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    });

    it('reads the gauges at each scrape: open sessions from the ledger', async () => {
      const ledger = t.app.get(DataSource).getRepository(AgentSession);
      const now = new Date();
      const row = { ownerTokenId: 1, agent: 'claude', model: 'sonnet', systemPrompt: null, cwd: '/nowhere', busy: false, turnCount: 0, createdAt: now, lastActivityAt: now };
      await ledger.insert([
        { ...row, id: 'open-1', status: 'open', closedAt: null },
        { ...row, id: 'open-2', status: 'open', closedAt: null },
        { ...row, id: 'closed-1', status: 'closed', closedAt: now },
      ]);
      try {
        expect((await t.http().get('/metrics').expect(200)).text).toContain('\nclawdforge_sessions_open 2\n');
      } finally {
        await ledger.clear();
      }
    });

    it('shows what the run and session paths record, by token name, model as requested and outcome', async () => {
      const metrics = t.app.get(Metrics);
      metrics.runFinished({ token: 'x', model: 'sonnet', outcome: 'ok', durationMs: 1500, usage: { input: 11, output: 7, cacheRead: 0, cacheCreation: null }, costUsd: 0.0042, toolsRefused: 1 });
      metrics.runFinished({ token: 'x', model: 'sonnet', outcome: 'timeout', durationMs: 700_000 });
      metrics.turnFinished({ token: 'x', outcome: 'ok', usage: { input: 5 }, costUsd: 0.001 });

      const text = (await t.http().get('/metrics').expect(200)).text;
      expect(text).toContain('\nclawdforge_runs_total{token="x",model="sonnet",outcome="ok"} 1\n');
      expect(text).toContain('\nclawdforge_runs_total{token="x",model="sonnet",outcome="timeout"} 1\n');
      expect(text).toContain('\nclawdforge_run_duration_seconds_bucket{le="2.5",token="x",model="sonnet",outcome="ok"} 1\n');
      expect(text).toContain('\nclawdforge_run_duration_seconds_bucket{le="1",token="x",model="sonnet",outcome="ok"} 0\n');
      expect(text).toContain('\nclawdforge_run_duration_seconds_bucket{le="600",token="x",model="sonnet",outcome="timeout"} 0\n');
      expect(text).toContain('\nclawdforge_turns_total{token="x",outcome="ok"} 1\n');
      expect(text).toContain('\nclawdforge_tokens_used_total{token="x",kind="input"} 16\n');
      expect(text).toContain('\nclawdforge_tokens_used_total{token="x",kind="output"} 7\n');
      expect(text).not.toContain('kind="cache_read"');
      expect(text).toMatch(/\nclawdforge_cost_usd_total\{token="x"\} 0\.0052\d*\n/);
      expect(text).toContain('\nclawdforge_tools_refused_total{token="x"} 1\n');
    });

    it('never shows a token value, and leaves no audit row', async () => {
      const token = await t.mintToken('cauldron');
      await t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'hello' }).expect(200);
      const text = (await t.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200)).text;
      expect(text).not.toContain(token);
      expect(text).not.toMatch(/cf_[A-Za-z0-9_-]{20,}/);

      await t.app.get(AuditService).flush();
      const rows = (await t.admin('get', '/admin/audit').query({ limit: '1000' }).expect(200)).body.items as { route: string }[];
      expect(rows.map((row) => row.route)).toContain('/run');
      expect(rows.map((row) => row.route)).not.toContain('/metrics');
    });
  });

  describe('labels a client can influence', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RUN_WARM_POOL: '0', MODEL_ALLOWLIST: '', DEFAULT_MODEL: 'sonnet' });
    });
    afterAll(() => t.close());

    const modelLabels = (text: string) => new Set([...text.matchAll(/^clawdforge_runs_total\{[^}]*model="([^"]*)"/gm)].map((match) => match[1]));

    it('label runs only with models of the catalogue; any other model a client names is "other", so the series stay bounded', async () => {
      const token = await t.mintToken('many-models');
      const run = (model: string) => t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'hello', model });
      for (let i = 0; i < 12; i++) expect((await run(`claude-made-up-${i}`)).status).toBe(200);
      expect((await run('haiku')).status).toBe(200);
      const before = (await t.http().get('/metrics').expect(200)).text;
      expect(modelLabels(before)).toEqual(new Set(['other', 'haiku']));
      expect(before).not.toContain('claude-made-up');
      expect(before).toContain('\nclawdforge_runs_total{token="many-models",model="other",outcome="ok"} 12\n');
      // Twelve more names add no series.
      const seriesCount = (text: string) => text.split('\n').filter((line) => line.startsWith('clawdforge_')).length;
      for (let i = 12; i < 24; i++) await run(`claude-made-up-${i}`);
      expect(seriesCount((await t.http().get('/metrics').expect(200)).text)).toBe(seriesCount(before));
    }, 90_000);
  });

  describe('with METRICS_TOKEN set', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ METRICS_TOKEN });
    });
    afterAll(() => t.close());

    it.each([
      ['no Authorization', undefined, 'missing_token'],
      ['a wrong bearer', `Bearer ${METRICS_TOKEN}x`, 'invalid_token'],
      ['the admin token', `Bearer ${ADMIN_TOKEN}`, 'invalid_token'],
      ['the token without "Bearer"', METRICS_TOKEN, 'invalid_token'],
    ])('answers 401 to %s, in the error envelope', async (_case, authorization, code) => {
      const req = t.http().get('/metrics');
      if (authorization) req.set('Authorization', authorization);
      const res = await req.expect(401);
      expect(res.body).toEqual({ ok: false, error: { code, message: expect.any(String) } });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('serves the metrics to the right bearer, and audits none of it', async () => {
      const res = await t.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      expect(res.text).toContain('clawdforge_run_queue_depth 0');

      await t.app.get(AuditService).flush();
      const rows = (await t.admin('get', '/admin/audit').query({ limit: '1000' }).expect(200)).body.items as { route: string }[];
      expect(rows.filter((row) => row.route === '/metrics')).toEqual([]);
    });
  });
});
