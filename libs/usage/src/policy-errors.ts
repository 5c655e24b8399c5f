import { ApiError } from '@clawdforge/core';

export type BudgetPeriod = 'day' | 'month';

export class RateLimitedError extends ApiError {
  constructor(perMinute: number, retryAfterSecs: number) {
    super('rate_limited', `this token may start ${perMinute} runs a minute`, undefined, { 'Retry-After': String(retryAfterSecs) });
  }
}

export class BudgetExceededError extends ApiError {
  /** `stopped`: the run or turn that was stopped when it reached the budget, rather than refused before it began. */
  constructor(period: BudgetPeriod, budgetUsd: number, retryAfterSecs: number, stopped?: 'run' | 'turn') {
    const what = stopped ? `the ${stopped} was stopped when it reached` : 'this token has spent';
    super('budget_exceeded', `${what} its budget for this UTC ${period} ($${budgetUsd})`, undefined, { 'Retry-After': String(retryAfterSecs) });
  }
}
