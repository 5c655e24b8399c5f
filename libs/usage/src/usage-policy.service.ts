import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { TokenPrincipal } from '@clawdforge/auth';
import { Clock, ErrorCode, InvalidRequestError, TokenPolicy } from '@clawdforge/core';
import { Metrics } from '@clawdforge/metrics';
import { BudgetExceededError, BudgetPeriod, RateLimitedError } from './policy-errors';
import { UsageLedger } from './usage-ledger.service';
import { periodsOf, secondsUntil } from './usage-periods';

export type WorkKind = 'run' | 'turn';

/** What the policy lets a run or turn spend: the least budget left this day or month, or no limit. */
export interface Admission {
  maxBudgetUsd: number | null;
}

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
 * (`admit`: may this token do this now, and with how much budget?) and one fact after (`settle`:
 * what it used, in the ledger before the answer goes out, so the next request sees it).
 */
@Injectable()
export class UsagePolicy {
  /** Per token name and rate, so a changed runs_per_minute starts a fresh window. */
  private readonly limiters = new Map<string, RateLimiterMemory>();

  constructor(
    private readonly ledger: UsageLedger,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  async admit(token: TokenPrincipal, work: { kind: WorkKind; model: string }): Promise<Admission> {
    const policy = token.policy;
    if (policy.models !== null && !policy.models.includes(work.model)) {
      throw new InvalidRequestError(`model "${work.model}" is not allowed for this token; allowed: ${policy.models.join(', ')}`, 'model', 'model_not_allowed');
    }
    const admission = await this.budgetLeft(token.name, policy);
    if (work.kind === 'run' && policy.runsPerMinute !== null) await this.takeRunSlotOfMinute(token.name, policy.runsPerMinute);
    return admission;
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

  /** The refusal for work the CLI itself stopped at the budget it was given. */
  async budgetStop(token: TokenPrincipal): Promise<BudgetExceededError> {
    const { period, budget, end } = await this.tightest(token.name, token.policy);
    return new BudgetExceededError(period ?? 'day', budget ?? 0, secondsUntil(end, this.clock.now()), true);
  }

  private async budgetLeft(tokenName: string, policy: TokenPolicy): Promise<Admission> {
    if (policy.budgetUsdDay === null && policy.budgetUsdMonth === null) return { maxBudgetUsd: null };
    const tightest = await this.tightest(tokenName, policy);
    if (tightest.left !== null && tightest.left <= 0) {
      throw new BudgetExceededError(tightest.period!, tightest.budget!, secondsUntil(tightest.end, this.clock.now()));
    }
    return { maxBudgetUsd: tightest.left };
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
