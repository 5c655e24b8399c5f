import * as path from 'node:path';
import { ManualClock } from '@clawdforge/core/testing';
import { makeDataDir, startTestApp, TestApp } from './support/test-app';

const ACPX = path.join(__dirname, '..', 'node_modules', '.bin', 'acpx');
const FAKE_AGENT = `${process.execPath} ${path.join(__dirname, 'fixtures', 'fake-acp-agent', 'agent.mjs')}`;
/** What the fake claude reports per run. */
const RUN_COST = 0.0042;

/**
 * Token policy, budgets and the usage ledger through the real app and a real SQLite file, with the
 * fake claude at the process boundary (it reports $0.0042 a run) and the real acpx driving the fake
 * ACP agent (it reports $0.001 a turn as a running total, as the Claude adapter does).
 */
describe('token policy, budgets and the usage ledger', () => {
  const dataDir = makeDataDir();
  const clock = new ManualClock(Date.parse('2026-11-26T22:00:00Z'));
  const env = { ACPX_BIN: ACPX, SESSION_AGENTS: 'fake', SESSION_AGENT_COMMANDS: `fake=${FAKE_AGENT}` };
  let t: TestApp;
  const run = (token: string, body: object) => t.http().post('/run').set('Authorization', `Bearer ${token}`).send(body);
  const mint = async (body: object) => (await t.admin('post', '/admin/tokens').send(body).expect(201)).body.token as string;
  const patch = (name: string, body: object) => t.http().patch(`/admin/tokens/${name}`).set('Authorization', 'Bearer test-admin-token-0123456789abcdef').send(body);

  beforeAll(async () => {
    t = await startTestApp(env, { dataDir, clock });
  });
  afterAll(() => t.close());

  it('keeps policy fields on the token: set at mint, shown, patched, and lifted with null', async () => {
    await mint({ name: 'shaped', models: ['haiku'], max_concurrent_runs: 2, runs_per_minute: 30, budget_usd_day: 5, budget_usd_month: 100 });
    const shown = await t.admin('get', '/admin/tokens/shaped').expect(200);
    expect(shown.body).toMatchObject({ models: ['haiku'], max_concurrent_runs: 2, runs_per_minute: 30, budget_usd_day: 5, budget_usd_month: 100 });
    const patched = await patch('shaped', { budget_usd_day: null, models: ['haiku', 'sonnet'], ip_cidrs: ['10.0.0.0/8', '127.0.0.1'] }).expect(200);
    expect(patched.body).toMatchObject({ models: ['haiku', 'sonnet'], budget_usd_day: null, budget_usd_month: 100, ip_cidrs: ['10.0.0.0/8', '127.0.0.1/32'] });
    await patch('nobody', { budget_usd_day: 1 }).expect(404);
    for (const body of [{ models: ['gpt-4'] }, { budget_usd_day: -1 }, { max_concurrent_runs: 0 }, { runs_per_minute: 1.5 }, { models: 'haiku' }]) {
      expect((await patch('shaped', body).expect(400)).body.error.code).toBe('invalid_request');
    }
  });

  it('refuses a model outside the token’s list, and a PATCH applies to the very next request', async () => {
    const token = await mint({ name: 'haiku-only', models: ['haiku'] });
    const refused = await run(token, { prompt: 'hi', model: 'sonnet' }).expect(400);
    expect(refused.body.error).toMatchObject({ code: 'model_not_allowed', field: 'model' });
    await run(token, { prompt: 'hi', model: 'haiku' }).expect(200);
    await patch('haiku-only', { models: null }).expect(200);
    await run(token, { prompt: 'hi', model: 'sonnet' }).expect(200);
  });

  it('limits runs per minute with 429 rate_limited and Retry-After', async () => {
    const token = await mint({ name: 'hasty', runs_per_minute: 2 });
    await run(token, { prompt: 'one' }).expect(200);
    await run(token, { prompt: 'two' }).expect(200);
    const limited = await run(token, { prompt: 'three' }).expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('passes the budget left to the CLI, refuses once the day’s budget is spent, and lifts at the next UTC day', async () => {
    const token = await mint({ name: 'thrifty', budget_usd_day: 0.01 });
    const echoed = await run(token, { prompt: 'FAKE:echo' }).expect(200);
    expect(echoed.body.result.argv).toContain('--max-budget-usd=0.01');
    await run(token, { prompt: 'second' }).expect(200);
    const third = await run(token, { prompt: 'FAKE:echo' }).expect(200);
    const left = Number((third.body.result.argv as string[]).find((arg) => arg.startsWith('--max-budget-usd='))!.split('=')[1]);
    expect(left).toBeCloseTo(0.01 - 2 * RUN_COST, 10);
    const refused = await run(token, { prompt: 'fourth' }).expect(429);
    expect(refused.body.error.code).toBe('budget_exceeded');
    expect(refused.body.error.message).toContain('UTC day');
    // 22:00 UTC: two hours to the end of the day.
    expect(Number(refused.headers['retry-after'])).toBe(2 * 3600);
    const own = await t.http().get('/usage').set('Authorization', `Bearer ${token}`).expect(200);
    expect(own.body).toMatchObject({ token: 'thrifty', today: { runs: 3 }, limits: { budget_usd_day: 0.01 }, budget_left_day: 0, budget_left_month: null });
    expect(own.body.today.cost_usd).toBeCloseTo(3 * RUN_COST, 10);

    // Lifted by a PATCH at once, and back.
    await patch('thrifty', { budget_usd_day: null }).expect(200);
    await run(token, { prompt: 'unlimited' }).expect(200);
    await patch('thrifty', { budget_usd_day: 0.01 }).expect(200);
    await run(token, { prompt: 'refused again' }).expect(429);

    clock.advance(2 * 3600 + 1);
    await run(token, { prompt: 'a new day' }).expect(200);
    clock.advance(-(2 * 3600 + 1));
  });

  it('answers a run the CLI stopped at its budget with 429 budget_exceeded, and counts what it spent', async () => {
    const token = await mint({ name: 'capped', budget_usd_month: 0.5 });
    const stopped = await run(token, { prompt: 'FAKE:budget' }).expect(429);
    expect(stopped.body.error.code).toBe('budget_exceeded');
    expect(stopped.body.error.message).toContain('stopped');
    const report = await t.admin('get', '/admin/usage').query({ token: 'capped' }).expect(200);
    expect(report.body.items).toEqual([expect.objectContaining({ token: 'capped', runs: 1, cost_usd: 0.5 })]);
    expect((await run(token, { prompt: 'more' }).expect(429)).body.error.message).toContain('UTC month');
  });

  it('answers a run whose login is refused with 503 upstream_auth, saying how to log in', async () => {
    const token = await mint({ name: 'locked-out' });
    const res = await run(token, { prompt: 'FAKE:logged-out' }).expect(503);
    expect(res.body.error).toMatchObject({ code: 'upstream_auth', message: expect.stringContaining('claude /login') });
  });

  it('keeps a token within its share of the run slots while another token runs at once', async () => {
    const narrow = await mint({ name: 'narrow', max_concurrent_runs: 1 });
    const wide = await mint({ name: 'wide' });
    const first = run(narrow, { prompt: 'FAKE:sleep:800' }).then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const [second, other] = await Promise.all([run(narrow, { prompt: 'FAKE:sleep:10' }), run(wide, { prompt: 'FAKE:sleep:10' })]);
    expect((await first).status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.queue_ms).toBeGreaterThanOrEqual(300);
    expect(other.body.queue_ms).toBeLessThan(300);
  });

  it('counts session turns at the cost the agent reports, and refuses a turn once the budget is spent', async () => {
    // Three turns of $0.001 spend it to the dust 0.003 − 0.002 leaves: the third runs whole, the fourth is refused at the door.
    const token = await mint({ name: 'talker', budget_usd_day: 0.003 });
    const auth = { Authorization: `Bearer ${token}` };
    const id = (await t.http().post('/sessions').set(auth).send({ agent: 'fake' }).expect(201)).body.session_id as string;
    try {
      const first = await t.http().post(`/sessions/${id}/turn`).set(auth).send({ prompt: 'one' }).expect(200);
      expect(first.body.stop_reason).toBe('end_turn');
      await t.http().post(`/sessions/${id}/turn`).set(auth).send({ prompt: 'two' }).expect(200);
      await t.http().post(`/sessions/${id}/turn`).set(auth).send({ prompt: 'three' }).expect(200);
      const refused = await t.http().post(`/sessions/${id}/turn`).set(auth).send({ prompt: 'four' }).expect(429);
      expect(refused.body.error.code).toBe('budget_exceeded');
      const report = await t.admin('get', '/admin/usage').query({ token: 'talker', group_by: 'model' }).expect(200);
      expect(report.body.items).toEqual([expect.objectContaining({ token: 'talker', turns: 3, runs: 0, input_tokens: 63, output_tokens: 27 })]);
      expect(report.body.items[0].cost_usd).toBeCloseTo(0.003, 10);
    } finally {
      await t.http().delete(`/sessions/${id}`).set(auth).expect(200);
    }
  }, 60_000);

  it('reports usage by token, day and model to the admin only, and keeps it across a restart and a rotation', async () => {
    const token = await mint({ name: 'steady' });
    await run(token, { prompt: 'a', model: 'haiku' }).expect(200);
    await run(token, { prompt: 'b', model: 'sonnet' }).expect(200);
    expect((await t.http().get('/admin/usage').set('Authorization', `Bearer ${token}`).expect(403)).body.error.code).toBe('admin_required');

    await t.close();
    t = await startTestApp(env, { dataDir, clock });
    await t.admin('delete', '/admin/tokens/steady').expect(200);
    const rotated = await mint({ name: 'steady' });
    await run(rotated, { prompt: 'c', model: 'haiku' }).expect(200);

    const byToken = await t.admin('get', '/admin/usage').query({ token: 'steady' }).expect(200);
    expect(byToken.body).toMatchObject({ ok: true, next_cursor: null, items: [{ token: 'steady', runs: 3, turns: 0, input_tokens: 33, output_tokens: 21 }] });
    expect(byToken.body.items[0].cost_usd).toBeCloseTo(3 * RUN_COST, 10);
    const byModel = await t.admin('get', '/admin/usage').query({ token: 'steady', group_by: 'model' }).expect(200);
    expect(byModel.body.items.map((i: { model: string; runs: number }) => [i.model, i.runs])).toEqual([
      ['haiku', 2],
      ['sonnet', 1],
    ]);
    const byDay = await t.admin('get', '/admin/usage').query({ token: 'steady', group_by: 'day' }).expect(200);
    expect(byDay.body.items).toEqual([expect.objectContaining({ day: '2026-11-26', runs: 3 })]);
    const paged = await t.admin('get', '/admin/usage').query({ limit: 1 }).expect(200);
    expect(paged.body.items).toHaveLength(1);
    const next = await t.admin('get', '/admin/usage').query({ limit: 1, cursor: paged.body.next_cursor }).expect(200);
    expect(next.body.items[0].token).not.toBe(paged.body.items[0].token);
    expect((await t.admin('get', '/admin/usage').query({ group_by: 'week' }).expect(400)).body.error.field).toBe('group_by');
  });

  it('counts runs, turns, tokens and cost in /metrics by token name, never by token value', async () => {
    const token = await mint({ name: 'measured' });
    await run(token, { prompt: 'hello', model: 'haiku' }).expect(200);
    await run(token, { prompt: 'FAKE:crash' }).expect(502);
    const text = (await t.http().get('/metrics').expect(200)).text;
    expect(text).toContain('clawdforge_runs_total{token="measured",model="haiku",outcome="ok"} 1');
    expect(text).toContain('clawdforge_runs_total{token="measured",model="sonnet",outcome="cli_failed"} 1');
    expect(text).toContain(`clawdforge_cost_usd_total{token="measured"} ${RUN_COST}`);
    expect(text).toContain('clawdforge_tokens_used_total{token="measured",kind="input"} 11');
    expect(text).toMatch(/clawdforge_run_duration_seconds_count\{token="measured",model="haiku",outcome="ok"\} 1/);
    expect(text).toMatch(/^clawdforge_run_queue_depth 0$/m);
    expect(text).not.toMatch(/cf_[A-Za-z0-9_-]{20,}/);
  });
});
