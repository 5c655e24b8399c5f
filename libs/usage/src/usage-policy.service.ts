import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { TokenPolicy, TokenPrincipal } from '@clawdforge/auth';
import { Clock, ErrorCode, InvalidRequestError } from '@clawdforge/core';
import { Metrics } from '@clawdforge/metrics';
import { BudgetHold, BudgetHolds, DUST_USD, NO_HOLD } from './budget-holds';
import { BudgetExceededError, BudgetPeriod, RateLimitedError } from './policy-errors';
import { UsageRepository } from './usage.repository';
import { periodsOf, secondsUntil } from './usage-periods';

export type WorkKind = 'run' | 'turn';

/** What one run or turn is expected to cost at most when the token's ledger has none from the last day to go by. */
const FIRST_EXPECTED_COST_USD = 1;
const DAY_MS = 86_400_000;

/** What a finished (or failed) run or turn used, reported once. */
export interface UsageFact {
  kind: WorkKind;
  model: string | null;
  /** `ok` or the error code it ended with. */
  outcome: string;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheCreationTokens: number | null;
  costUsd: number | null;
  /** Tool calls refused during it, when it got as far as running. */
  toolsRefused?: number | null;
  /** For a run: from its request's arrival to now, for the run-duration metric. */
  durationMs?: number;
}

/**
 * A token's policy at the door of every run and turn: one question before the work starts
 * (`admit`: may this token do this now?), a hold on its budget when the work starts (`hold`: how
 * much may it spend, counting what the token's other work in flight may spend), and one fact after
 * (`settle`: what it used, in the ledger before the answer goes out and the hold is released, so the
 * next request sees it).
 */
@Injectable()
export class UsagePolicy {
  /** Per token name and rate, so a changed runs_per_minute starts a fresh window. */
  private readonly limiters = new Map<string, RateLimiterMemory>();
  private readonly holds = new BudgetHolds();

  constructor(
    private readonly ledger: UsageRepository,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /** The model is one the token may use, its budget is not spent, and (for a run) its rate allows one more. */
  async admit(token: TokenPrincipal, work: { kind: WorkKind; model: string }): Promise<void> {
    const policy = token.policy;
    if (policy.models !== null && !policy.models.includes(work.model)) {
      throw new InvalidRequestError(`model "${work.model}" is not allowed for this token; allowed: ${policy.models.join(', ')}`, 'model', 'model_not_allowed');
    }
    await this.assertBudgetLeft(token.name, policy);
    if (work.kind === 'run' && policy.runsPerMinute !== null) await this.takeRunSlotOfMinute(token.name, policy.runsPerMinute);
  }

  /**
   * A hold on the token's budget for one run or turn about to start (for a run: once it has its
   * slot). What it may spend is what is left once the token's other work in flight is counted at
   * what it holds; it holds twice the costliest run or turn of the token's last day (a dollar when
   * there is none), or all that is left when that is less, so work runs side by side while the
   * budget is ample and one at a time as it runs out: the budget is overshot by at most what the
   * last run spends past its own cap. With nothing left while other work holds some, it waits for
   * that work to settle; with nothing left at all, 429 budget_exceeded. Release the hold after
   * `settle`.
   */
  async hold(token: TokenPrincipal, signal?: AbortSignal): Promise<BudgetHold> {
    const policy = token.policy;
    if (policy.budgetUsdDay === null && policy.budgetUsdMonth === null) return NO_HOLD;
    for (;;) {
      const outcome = await this.holds.serially(token.name, async () => {
        const tightest = await this.tightest(token.name, policy);
        const held = this.holds.heldBy(token.name);
        const left = tightest.left! - held;
        if (left > DUST_USD) return this.holds.take(token.name, Math.min(left, await this.expectedCost(token.name)), left);
        if (held > 0) return { waitFor: this.holds.released(token.name, signal) };
        throw new BudgetExceededError(tightest.period!, tightest.budget!, secondsUntil(tightest.end, this.clock.now()));
      });
      if (!('waitFor' in outcome)) return outcome;
      await outcome.waitFor;
    }
  }

  private async expectedCost(tokenName: string): Promise<number> {
    const costliest = await this.ledger.costliestSince(tokenName, new Date(this.clock.now().getTime() - DAY_MS));
    return costliest === null ? FIRST_EXPECTED_COST_USD : 2 * costliest;
  }

  async settle(token: TokenPrincipal, fact: UsageFact): Promise<void> {
    await this.ledger.record({
      at: this.clock.now(),
      tokenId: token.id,
      tokenName: token.name,
      kind: fact.kind,
      model: fact.model,
      outcome: fact.outcome,
      inputTokens: fact.inputTokens ?? 0,
      outputTokens: fact.outputTokens ?? 0,
      cacheReadTokens: fact.cacheReadTokens ?? 0,
      cacheCreationTokens: fact.cacheCreationTokens ?? 0,
      costUsd: fact.costUsd ?? 0,
    });
    this.count(token, fact);
  }

  private count(token: TokenPrincipal, fact: UsageFact): void {
    const outcome = fact.outcome as 'ok' | ErrorCode;
    const usage = { input: fact.inputTokens, output: fact.outputTokens, cacheRead: fact.cacheReadTokens, cacheCreation: fact.cacheCreationTokens };
    const common = { token: token.name, outcome, usage, costUsd: fact.costUsd, toolsRefused: fact.toolsRefused ?? undefined };
    if (fact.kind === 'turn') return this.metrics.turnFinished(common);
    this.metrics.runFinished({ ...common, model: fact.model ?? 'unknown', durationMs: fact.durationMs ?? 0 });
  }

  /** The refusal for work stopped at the budget it was given (by the CLI for a run, by the gateway for a turn). */
  async budgetStop(token: TokenPrincipal, kind: WorkKind = 'run'): Promise<BudgetExceededError> {
    const { period, budget, end } = await this.tightest(token.name, token.policy);
    return new BudgetExceededError(period ?? 'day', budget ?? 0, secondsUntil(end, this.clock.now()), kind);
  }

  private async assertBudgetLeft(tokenName: string, policy: TokenPolicy): Promise<void> {
    if (policy.budgetUsdDay === null && policy.budgetUsdMonth === null) return;
    const tightest = await this.tightest(tokenName, policy);
    if (tightest.left !== null && tightest.left <= 0) {
      throw new BudgetExceededError(tightest.period!, tightest.budget!, secondsUntil(tightest.end, this.clock.now()));
    }
  }

  /** The budget with the least left of this day's and this month's. */
  private async tightest(tokenName: string, policy: TokenPolicy): Promise<{ period: BudgetPeriod | null; budget: number | null; left: number | null; end: Date }> {
    const now = this.clock.now();
    const periods = periodsOf(now);
    let best: { period: BudgetPeriod | null; budget: number | null; left: number | null; end: Date } = { period: null, budget: null, left: null, end: periods.dayEnd };
    const candidates: [BudgetPeriod, number | null, Date, Date][] = [
      ['day', policy.budgetUsdDay, periods.dayStart, periods.dayEnd],
      ['month', policy.budgetUsdMonth, periods.monthStart, periods.monthEnd],
    ];
    for (const [period, budget, start, end] of candidates) {
      if (budget === null) continue;
      const left = budget - (await this.ledger.spentSince(tokenName, start));
      if (best.left === null || left < best.left) best = { period, budget, left, end };
    }
    return best;
  }

  private async takeRunSlotOfMinute(tokenName: string, perMinute: number): Promise<void> {
    const key = `${tokenName}:${perMinute}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
      this.limiters.set(key, limiter);
    }
    try {
      await limiter.consume(tokenName);
    } catch (rejection) {
      throw new RateLimitedError(perMinute, Math.max(1, Math.ceil((rejection as RateLimiterRes).msBeforeNext / 1000)));
    }
  }
}
