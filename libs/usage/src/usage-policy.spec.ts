import { Clock } from '@clawdforge/core';
import { NO_POLICY, TokenPolicy } from '@clawdforge/auth';
import type { Metrics } from '@clawdforge/metrics';
import { BudgetExceededError } from './policy-errors';
import { UsageRepository } from './usage.repository';
import { UsagePolicy } from './usage-policy.service';

/** The ledger's part budgets read: one token's spend today, and its costliest run or turn. */
class FakeLedger {
  spent = 0;
  costliest: number | null = null;
  spentSince = async () => this.spent;
  costliestSince = async () => this.costliest;
}

const clock: Clock = { now: () => new Date('2026-12-02T12:00:00Z') };
const token = (policy: Partial<TokenPolicy>) => ({ id: 1, name: 'app', policy: { ...NO_POLICY, ...policy } });
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('UsagePolicy.hold: a budget held against work in flight', () => {
  let ledger: FakeLedger;
  let policy: UsagePolicy;
  beforeEach(() => {
    ledger = new FakeLedger();
    policy = new UsagePolicy(ledger as unknown as UsageRepository, clock, {} as Metrics);
  });

  it('holds nothing and caps nothing for a token without a budget', async () => {
    const hold = await policy.hold(token({}));
    expect(hold.capUsd).toBeNull();
  });

  it('gives the first work all that is left when the token has no costs to go by, and the next waits for it to settle', async () => {
    const budgeted = token({ budgetUsdDay: 0.5 });
    const first = await policy.hold(budgeted);
    expect(first.capUsd).toBeCloseTo(0.5);
    let second: number | null | undefined;
    void policy.hold(budgeted).then((hold) => (second = hold.capUsd));
    await settled();
    expect(second).toBeUndefined();
    ledger.spent = 0.2;
    ledger.costliest = 0.2;
    first.release();
    await settled();
    await settled();
    expect(second).toBeCloseTo(0.3);
  });

  it('lets work run side by side while the budget is ample: each holds twice the costliest, each may spend what the others do not hold', async () => {
    const budgeted = token({ budgetUsdDay: 100 });
    ledger.costliest = 0.5;
    const holds = [await policy.hold(budgeted), await policy.hold(budgeted), await policy.hold(budgeted)];
    expect(holds.map((hold) => hold.capUsd)).toEqual([100, 99, 98]);
    holds[0].release();
    expect((await policy.hold(budgeted)).capUsd).toBe(98);
  });

  it('takes the tighter of the day’s and the month’s budget', async () => {
    ledger.spent = 1;
    const hold = await policy.hold(token({ budgetUsdDay: 5, budgetUsdMonth: 2 }));
    expect(hold.capUsd).toBeCloseTo(1);
  });

  it('refuses with budget_exceeded when nothing is left and nothing is held', async () => {
    ledger.spent = 0.5;
    await expect(policy.hold(token({ budgetUsdDay: 0.5 }))).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('refuses the waiting work once the holder settles with nothing left', async () => {
    const budgeted = token({ budgetUsdDay: 0.5 });
    const first = await policy.hold(budgeted);
    const waiting = policy.hold(budgeted);
    ledger.spent = 0.6;
    first.release();
    await expect(waiting).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('stops waiting when its caller goes', async () => {
    const budgeted = token({ budgetUsdDay: 0.5 });
    await policy.hold(budgeted);
    const gone = new AbortController();
    const waiting = policy.hold(budgeted, gone.signal);
    gone.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
  });

  it('never counts the same dollars free twice when holds are asked at once', async () => {
    const budgeted = token({ budgetUsdDay: 1 });
    ledger.costliest = 0.3;
    const holds = await Promise.all([policy.hold(budgeted), policy.hold(budgeted)]);
    expect(holds.map((hold) => hold.capUsd)).toEqual([1, 0.4]);
  });
});
