// What specs of the run path build it with: `@clawdforge/run/testing`. Never imported by the
// server or the CLI.
import { ClusterLink } from '@clawdforge/cluster';
import { configFrom, ManualClock } from '@clawdforge/core/testing';
import { FilesServiceUnderTest, newFilesService } from '@clawdforge/files/testing';
import { FakeClaudeRunner } from '@clawdforge/runners/testing';
import { newUsagePolicy, UsagePolicyUnderTest } from '@clawdforge/usage/testing';
import { GlobalRunSlots } from '../global-run-slots';
import { RunQueue } from '../run-queue';
import { RunService } from '../run.service';

export interface RunServiceUnderTest {
  service: RunService;
  /** Where the runs go: answers, fails or holds them as the spec says. */
  claude: FakeClaudeRunner;
  queue: RunQueue;
  /** The files a run may attach, kept in memory. */
  files: FilesServiceUnderTest;
  /** The token's policy on a ledger kept in memory. */
  usage: UsagePolicyUnderTest;
  /** The clock of the files' expiry and the budgets' days. */
  clock: ManualClock;
}

/**
 * The real RunService, with its real queue, policy and files rules, over a fake claude and files
 * and a ledger kept in memory, configured by `env` as an operator would. One instance on SQLite:
 * the slots across instances (MAX_CONCURRENT_RUNS_GLOBAL) need PostgreSQL, and are left to the
 * tiers that have it.
 */
export function newRunService(env: Record<string, string> = {}): RunServiceUnderTest {
  const config = configFrom(env);
  const clock = new ManualClock(Date.parse('2026-12-02T12:00:00Z'));
  const claude = new FakeClaudeRunner();
  const queue = new RunQueue(config);
  const files = newFilesService(env, clock);
  const usage = newUsagePolicy({ clock });
  const service = new RunService(config, queue, new GlobalRunSlots(config, new ClusterLink(config)), claude, files.service, usage.policy);
  return { service, claude, queue, files, usage, clock };
}
