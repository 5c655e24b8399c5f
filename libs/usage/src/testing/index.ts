// What specs of the usage rules and of the work they govern (runs, turns) build them with:
// `@clawdforge/usage/testing`. Never imported by the server or the CLI.
import { Clock } from '@clawdforge/core';
import { configFrom, ManualClock } from '@clawdforge/core/testing';
import { Metrics } from '@clawdforge/metrics';
import { UsagePolicy } from '../usage-policy.service';
import type { UsageRepository } from '../usage.repository';
import { InMemoryUsageLedger } from './in-memory-usage-ledger';

export * from './in-memory-usage-ledger';

export interface UsagePolicyUnderTest {
  policy: UsagePolicy;
  ledger: InMemoryUsageLedger;
  clock: Clock;
  metrics: Metrics;
}

/** The real UsagePolicy on an in-memory ledger, a clock the spec moves (or its own), and real metrics. */
export function newUsagePolicy(options: { clock?: Clock; ledger?: InMemoryUsageLedger } = {}): UsagePolicyUnderTest {
  const ledger = options.ledger ?? new InMemoryUsageLedger();
  const clock = options.clock ?? new ManualClock(Date.parse('2026-12-02T12:00:00Z'));
  const metrics = new Metrics(configFrom());
  return { policy: new UsagePolicy(ledger as unknown as UsageRepository, clock, metrics), ledger, clock, metrics };
}
