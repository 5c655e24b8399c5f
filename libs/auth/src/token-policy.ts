/**
 * What an app token may do beyond its IP ranges, each limit absent when null. Kept on the token,
 * read with it, and applied by the usage library before a run or a turn starts.
 */
export interface TokenPolicy {
  /** Aliases or ids this token may run; others are refused like MODEL_ALLOWLIST refuses them. */
  models: string[] | null;
  /** This token's share of MAX_CONCURRENT_RUNS; over it a run waits in the queue. */
  maxConcurrentRuns: number | null;
  /** Runs this token may start per minute. */
  runsPerMinute: number | null;
  /** Dollars this token may spend per UTC day and per UTC month. */
  budgetUsdDay: number | null;
  budgetUsdMonth: number | null;
}

export const NO_POLICY: TokenPolicy = { models: null, maxConcurrentRuns: null, runsPerMinute: null, budgetUsdDay: null, budgetUsdMonth: null };
