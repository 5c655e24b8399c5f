import * as path from 'node:path';
import { startTestApp, TestApp } from './support/test-app';

const ACPX = path.join(__dirname, '..', 'node_modules', '.bin', 'acpx');
const FAKE_AGENT = `${process.execPath} ${path.join(__dirname, 'fixtures', 'fake-acp-agent', 'agent.mjs')}`;
const BUDGET = 0.5;
/** What each run or round of work below costs. */
const STEP = 0.2;

/**
 * A small daily budget against work in parallel: runs that queue past the door, turns of many tool
 * rounds, and both at once. Whatever the interleaving, a token spends at most its budget plus what
 * one run or turn spends past its own cap (one step here). The fake claude costs what its prompt says
 * and stops past --max-budget-usd as the real CLI does; the fake ACP agent reports a running cost
 * after each round, as the Claude adapter does.
 */
describe('budgets hold against work in flight', () => {
  let t: TestApp;
  const mint = async (name: string) => (await t.admin('post', '/admin/tokens').send({ name, budget_usd_day: BUDGET }).expect(201)).body.token as string;
  const spent = async (token: string) => (await t.http().get('/usage').set('Authorization', `Bearer ${token}`).expect(200)).body.today.cost_usd as number;
  const open = async (token: string) => (await t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({ agent: 'fake' }).expect(201)).body.session_id as string;
  const turn = (token: string, id: string, prompt: string) => t.http().post(`/sessions/${id}/turn`).set('Authorization', `Bearer ${token}`).send({ prompt });
  const run = (token: string, prompt: string) => t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt });

  beforeAll(async () => {
    t = await startTestApp({ ACPX_BIN: ACPX, SESSION_AGENTS: 'fake', SESSION_AGENT_COMMANDS: `fake=${FAKE_AGENT}`, MAX_CONCURRENT_RUNS: '4' });
  });
  afterAll(() => t.close());

  it('eight runs at once, four of them queued, spend at most the budget and one run past its cap', async () => {
    const token = await mint('parallel-runs');
    const answers = await Promise.all(Array.from({ length: 8 }, () => run(token, `FAKE:spend:${STEP}:300`)));
    const ok = answers.filter((res) => res.status === 200);
    const refused = answers.filter((res) => res.status === 429);
    expect(ok.length + refused.length).toBe(8);
    for (const res of refused) expect(res.body.error.code).toBe('budget_exceeded');
    expect(ok.length).toBeGreaterThanOrEqual(2);
    expect(await spent(token)).toBeLessThanOrEqual(BUDGET + STEP + 1e-9);
    // Each run was given only what the others in flight did not hold.
    expect(refused.length).toBeGreaterThanOrEqual(5);
  });

  it('stops a turn of many tool rounds once its cost passes what is left, and refuses the next turn', async () => {
    const token = await mint('long-turn');
    const id = await open(token);
    const stopped = await turn(token, id, `spend:8:${STEP}`).expect(429);
    expect(stopped.body.error.code).toBe('budget_exceeded');
    expect(stopped.body.error.message).toContain('turn was stopped');
    const total = await spent(token);
    expect(total).toBeGreaterThan(BUDGET);
    expect(total).toBeLessThanOrEqual(BUDGET + STEP + 1e-9);
    expect((await turn(token, id, 'hello').expect(429)).body.error.code).toBe('budget_exceeded');
  }, 90_000);

  it('counts what a run spent before it was stopped: an app that never waits for its answers still runs out of budget', async () => {
    // Stopped, the fake claude says it had spent $0.0031, as the real CLI says on SIGINT.
    const { token } = (await t.admin('post', '/admin/tokens').send({ name: 'never-waits', budget_usd_day: 0.005 }).expect(201)).body as { token: string };
    const stopped = (marker: string) => t.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: `FAKE:hang:${marker}`, timeout_secs: 1 });
    expect((await stopped(`cf-budget-a-${process.pid}`)).status).toBe(504);
    expect((await stopped(`cf-budget-b-${process.pid}`)).status).toBe(504);
    expect(await spent(token)).toBeCloseTo(0.0062, 9);
    expect((await run(token, 'FAKE:echo').expect(429)).body.error.code).toBe('budget_exceeded');
  });

  it('holds the budget across runs and turns of one token at once', async () => {
    const token = await mint('mixed');
    const [a, b] = await Promise.all([open(token), open(token)]);
    const answers = await Promise.all([turn(token, a, `spend:3:${STEP}`), turn(token, b, `spend:3:${STEP}`), run(token, `FAKE:spend:${STEP}:200`), run(token, `FAKE:spend:${STEP}:200`)]);
    expect(answers.map((res) => res.status).every((status) => status === 200 || status === 429)).toBe(true);
    expect(await spent(token)).toBeLessThanOrEqual(BUDGET + STEP + 1e-9);
  }, 90_000);
});
