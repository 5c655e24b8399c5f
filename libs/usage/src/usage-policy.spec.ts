import { InvalidRequestError } from '@clawdforge/core';
import { ManualClock } from '@clawdforge/core/testing';
import { tokenWith } from '@clawdforge/auth/testing';
import { newUsagePolicy } from '@clawdforge/usage/testing';
import { BudgetExceededError, RateLimitedError } from './policy-errors';
import type { UsageFact } from './usage-policy.service';

const NOON = Date.parse('2026-12-02T12:00:00Z');
const settled = () => new Promise((resolve) => setImmediate(resolve));
const token = tokenWith;
const fact = (fields: Partial<UsageFact> = {}): UsageFact => ({
  kind: 'run',
  model: 'sonnet',
  outcome: 'ok',
  inputTokens: 10,
  outputTokens: 5,
  cacheReadTokens: null,
  cacheCreationTokens: null,
  costUsd: 0.25,
  ...fields,
});

describe('UsagePolicy.hold: a budget held against work in flight', () => {
  let under: ReturnType<typeof newUsagePolicy>;
  const spend = (usd: number) => under.ledger.spent('app', usd, under.clock.now());
  beforeEach(() => {
    under = newUsagePolicy();
  });

  it('holds nothing and caps nothing for a token without a budget', async () => {
    const hold = await under.policy.hold(token({}));
    expect(hold.capUsd).toBeNull();
  });

  it('gives the first work all that is left when the token has no costs to go by, and the next waits for it to settle', async () => {
    const budgeted = token({ budgetUsdDay: 0.5 });
    const first = await under.policy.hold(budgeted);
    expect(first.capUsd).toBeCloseTo(0.5);
    let second: number | null | undefined;
    void under.policy.hold(budgeted).then((hold) => (second = hold.capUsd));
    await settled();
    expect(second).toBeUndefined();
    spend(0.2);
    first.release();
    await settled();
    await settled();
    expect(second).toBeCloseTo(0.3);
  });

  it('lets work run side by side while the budget is ample: each holds twice the costliest, each may spend what the others do not hold', async () => {
    const budgeted = token({ budgetUsdDay: 100 });
    spend(0.5);
    const holds = [await under.policy.hold(budgeted), await under.policy.hold(budgeted), await under.policy.hold(budgeted)];
    expect(holds.map((hold) => hold.capUsd)).toEqual([99.5, 98.5, 97.5]);
    holds[0].release();
    expect((await under.policy.hold(budgeted)).capUsd).toBe(97.5);
  });

  it('holds a dollar per work when the token’s last day cost nothing, however old its costlier work', async () => {
    under.ledger.spent('app', 30, new Date(NOON - 30 * 3_600_000));
    const budgeted = token({ budgetUsdMonth: 100 });
    const holds = [await under.policy.hold(budgeted), await under.policy.hold(budgeted)];
    expect(holds.map((hold) => hold.capUsd)).toEqual([70, 69]);
  });

  it('takes the tighter of the day’s and the month’s budget', async () => {
    spend(1);
    const hold = await under.policy.hold(token({ budgetUsdDay: 5, budgetUsdMonth: 2 }));
    expect(hold.capUsd).toBeCloseTo(1);
  });

  it('counts the month from its first day and the day from midnight UTC', async () => {
    under.ledger.spent('app', 3, new Date('2026-12-01T08:00:00Z'));
    under.ledger.spent('app', 9, new Date('2026-11-30T23:59:59Z'));
    expect((await under.policy.hold(token({ budgetUsdDay: 10 }))).capUsd).toBe(10);
    expect((await under.policy.hold(token({ budgetUsdMonth: 10 }, { name: 'app' }))).capUsd).toBeLessThanOrEqual(7);
  });

  it('counts only the token’s own spend', async () => {
    under.ledger.spent('other', 5, under.clock.now());
    expect((await under.policy.hold(token({ budgetUsdDay: 5 }))).capUsd).toBe(5);
  });

  it('refuses with budget_exceeded when nothing is left and nothing is held', async () => {
    spend(0.5);
    await expect(under.policy.hold(token({ budgetUsdDay: 0.5 }))).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('counts a budget spent to floating-point dust as spent: $0.3 three times against $0.9 leaves 1e-16', async () => {
    for (const usd of [0.3, 0.3, 0.3]) spend(usd);
    await expect(under.policy.hold(token({ budgetUsdDay: 0.9 }))).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('refuses the waiting work once the holder settles with nothing left', async () => {
    const budgeted = token({ budgetUsdDay: 0.5 });
    const first = await under.policy.hold(budgeted);
    const waiting = under.policy.hold(budgeted);
    spend(0.6);
    first.release();
    await expect(waiting).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('stops waiting when its caller goes', async () => {
    const budgeted = token({ budgetUsdDay: 0.5 });
    await under.policy.hold(budgeted);
    const gone = new AbortController();
    const waiting = under.policy.hold(budgeted, gone.signal);
    gone.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
  });

  it('never counts the same dollars free twice when holds are asked at once', async () => {
    const budgeted = token({ budgetUsdDay: 1 });
    spend(0.3);
    const [first, second] = await Promise.all([under.policy.hold(budgeted), under.policy.hold(budgeted)]);
    expect(first.capUsd).toBeCloseTo(0.7);
    expect(second.capUsd).toBeCloseTo(0.1);
  });

  it('gives a hold back once however often it is released', async () => {
    const budgeted = token({ budgetUsdDay: 10 });
    spend(1);
    const first = await under.policy.hold(budgeted);
    const second = await under.policy.hold(budgeted);
    first.release();
    first.release();
    expect((await under.policy.hold(budgeted)).capUsd).toBe(7);
    second.release();
  });

  it('keeps tokens’ holds apart', async () => {
    await under.policy.hold(token({ budgetUsdDay: 1 }, { name: 'app' }));
    expect((await under.policy.hold(token({ budgetUsdDay: 1 }, { id: 2, name: 'other' }))).capUsd).toBe(1);
  });
});

describe('UsagePolicy.admit: may this token do this now?', () => {
  let under: ReturnType<typeof newUsagePolicy>;
  beforeEach(() => {
    under = newUsagePolicy();
  });

  it('admits any model for a token without a list', async () => {
    await expect(under.policy.admit(token(), { kind: 'run', model: 'opus' })).resolves.toBeUndefined();
  });

  it.each([
    ['run', 'opus', ['haiku']],
    ['turn', 'opus', ['haiku', 'sonnet']],
    ['run', 'claude-opus-4-5', ['opus']],
  ] as const)('refuses a %s on %s outside %j with 400 model_not_allowed naming the allowed models', async (kind, model, models) => {
    const refusal = await under.policy.admit(token({ models: [...models] }), { kind, model }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(InvalidRequestError);
    expect(refusal).toMatchObject({ status: 400, code: 'model_not_allowed', field: 'model' });
    expect((refusal as Error).message).toContain(models.join(', '));
  });

  it('admits a model on the token’s list', async () => {
    await expect(under.policy.admit(token({ models: ['haiku', 'sonnet'] }), { kind: 'turn', model: 'sonnet' })).resolves.toBeUndefined();
  });

  it('refuses once the day’s budget is spent, with Retry-After until the next UTC day', async () => {
    under.ledger.spent('app', 2, under.clock.now());
    const refusal = (await under.policy.admit(token({ budgetUsdDay: 2 }), { kind: 'run', model: 'sonnet' }).catch((error: unknown) => error)) as BudgetExceededError;
    expect(refusal).toBeInstanceOf(BudgetExceededError);
    expect(refusal).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(refusal.message).toContain('UTC day ($2)');
    expect(refusal.headers['Retry-After']).toBe(String(12 * 3600));
  });

  it('refuses once the month’s budget is spent, with Retry-After until the next UTC month', async () => {
    under.ledger.spent('app', 5, new Date('2026-12-01T00:00:00Z'));
    const refusal = (await under.policy.admit(token({ budgetUsdMonth: 5, budgetUsdDay: 100 }), { kind: 'turn', model: 'sonnet' }).catch((error: unknown) => error)) as BudgetExceededError;
    expect(refusal.message).toContain('UTC month ($5)');
    expect(refusal.headers['Retry-After']).toBe(String(29 * 86_400 + 12 * 3600));
  });

  it('admits while any budget is left, however little', async () => {
    under.ledger.spent('app', 1.99, under.clock.now());
    await expect(under.policy.admit(token({ budgetUsdDay: 2 }), { kind: 'run', model: 'sonnet' })).resolves.toBeUndefined();
  });

  it('admits again at the next UTC day', async () => {
    const clock = new ManualClock(Date.parse('2026-12-02T23:59:00Z'));
    under = newUsagePolicy({ clock });
    under.ledger.spent('app', 2, clock.now());
    await expect(under.policy.admit(token({ budgetUsdDay: 2 }), { kind: 'run', model: 'sonnet' })).rejects.toBeInstanceOf(BudgetExceededError);
    clock.advance(60);
    await expect(under.policy.admit(token({ budgetUsdDay: 2 }), { kind: 'run', model: 'sonnet' })).resolves.toBeUndefined();
  });

  it('reads no ledger for a token without a budget', async () => {
    const read = jest.spyOn(under.ledger, 'spentSince');
    await under.policy.admit(token({ models: ['sonnet'] }), { kind: 'run', model: 'sonnet' });
    expect(read).not.toHaveBeenCalled();
  });

  it('starts runs_per_minute runs a minute, then 429 rate_limited with a Retry-After of at least a second', async () => {
    const limited = token({ runsPerMinute: 3 });
    for (let run = 0; run < 3; run++) await under.policy.admit(limited, { kind: 'run', model: 'sonnet' });
    const refusal = (await under.policy.admit(limited, { kind: 'run', model: 'sonnet' }).catch((error: unknown) => error)) as RateLimitedError;
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect(refusal).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(refusal.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(Number(refusal.headers['Retry-After'])).toBeLessThanOrEqual(60);
  });

  it('never counts turns against runs_per_minute', async () => {
    const limited = token({ runsPerMinute: 1 });
    for (let turn = 0; turn < 5; turn++) await under.policy.admit(limited, { kind: 'turn', model: 'sonnet' });
    await expect(under.policy.admit(limited, { kind: 'run', model: 'sonnet' })).resolves.toBeUndefined();
  });

  it('starts a fresh minute when the token’s rate is changed', async () => {
    await under.policy.admit(token({ runsPerMinute: 1 }), { kind: 'run', model: 'sonnet' });
    await expect(under.policy.admit(token({ runsPerMinute: 1 }), { kind: 'run', model: 'sonnet' })).rejects.toBeInstanceOf(RateLimitedError);
    await expect(under.policy.admit(token({ runsPerMinute: 2 }), { kind: 'run', model: 'sonnet' })).resolves.toBeUndefined();
  });

  it('keeps each token’s minute apart', async () => {
    await under.policy.admit(token({ runsPerMinute: 1 }), { kind: 'run', model: 'sonnet' });
    await expect(under.policy.admit(token({ runsPerMinute: 1 }, { id: 2, name: 'other' }), { kind: 'run', model: 'sonnet' })).resolves.toBeUndefined();
  });

  it('refuses a model before it counts the run against the minute', async () => {
    const limited = token({ runsPerMinute: 1, models: ['haiku'] });
    await expect(under.policy.admit(limited, { kind: 'run', model: 'opus' })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(under.policy.admit(limited, { kind: 'run', model: 'haiku' })).resolves.toBeUndefined();
  });
});

describe('UsagePolicy.settle and budgetStop', () => {
  let under: ReturnType<typeof newUsagePolicy>;
  beforeEach(() => {
    under = newUsagePolicy();
  });

  it('writes what the work used to the ledger at the clock’s time, its token’s id and name, unreported counts as zero', async () => {
    await under.policy.settle(tokenWith({}, { id: 7, name: 'app' }), fact({ inputTokens: null, costUsd: null, outcome: 'timeout' }));
    expect(under.ledger.rows).toEqual([
      {
        at: under.clock.now(),
        tokenId: 7,
        tokenName: 'app',
        kind: 'run',
        model: 'sonnet',
        outcome: 'timeout',
        inputTokens: 0,
        outputTokens: 5,
        cacheReadTokens: 0,
        cacheCreationTokens: 0,
        costUsd: 0,
      },
    ]);
  });

  it('makes what was settled count against the budget of the next request', async () => {
    const budgeted = token({ budgetUsdDay: 0.5 });
    await under.policy.settle(budgeted, fact({ costUsd: 0.5 }));
    await expect(under.policy.admit(budgeted, { kind: 'run', model: 'sonnet' })).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('counts a run in the run metrics and a turn in the turn metrics', async () => {
    await under.policy.settle(token(), fact({ kind: 'run', durationMs: 1500 }));
    await under.policy.settle(token(), fact({ kind: 'turn', outcome: 'agent_failed' }));
    const scrape = await under.metrics.scrape();
    expect(scrape).toContain('clawdforge_runs_total{token="app",model="sonnet",outcome="ok"} 1');
    expect(scrape).toContain('clawdforge_turns_total{token="app",outcome="agent_failed"} 1');
  });

  it('stops a run at its budget with 429 naming the run and the tightest period', async () => {
    under.ledger.spent('app', 4, under.clock.now());
    const stop = await under.policy.budgetStop(token({ budgetUsdDay: 5, budgetUsdMonth: 20 }));
    expect(stop).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(stop.message).toBe('the run was stopped when it reached its budget for this UTC day ($5)');
  });

  it('stops a turn naming the turn, the month when it is the tighter', async () => {
    under.ledger.spent('app', 19, new Date('2026-12-01T10:00:00Z'));
    const stop = await under.policy.budgetStop(token({ budgetUsdDay: 5, budgetUsdMonth: 20 }), 'turn');
    expect(stop.message).toBe('the turn was stopped when it reached its budget for this UTC month ($20)');
  });
});
