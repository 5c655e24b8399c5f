import { canonicalCidr, InvalidRequestError, isModelName } from '@clawdforge/core';
import { TokenPolicy } from '@clawdforge/auth';
import { CommandRunner, Option } from 'nest-commander';

/** Lifts a limit. It travels as the word itself: commander turns a parser's null into ''. */
export const NONE = 'none';

/**
 * The policy flags `tokens create` and `tokens update` share, as typed. They are checked in
 * policyFromOptions, inside the command's run(), where a failure prints as one line (an option
 * parser's throw does not reach the user).
 */
export interface PolicyOptions {
  model?: string[];
  maxConcurrent?: string;
  rpm?: string;
  budgetDay?: string;
  budgetMonth?: string;
}

function wholeNumber(flag: string, value: string): number | null {
  if (value === NONE) return null;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidRequestError(`${flag} takes a whole number from 1, or none`, flag);
  return Number(value);
}

function dollars(flag: string, value: string): number | null {
  if (value === NONE) return null;
  const amount = Number(value);
  if (value.trim() === '' || !Number.isFinite(amount) || amount < 0) throw new InvalidRequestError(`${flag} takes dollars (0 or more), or none`, flag);
  return amount;
}

function models(values: string[]): string[] | null {
  if (values.includes(NONE)) return null;
  const bad = values.find((model) => !isModelName(model));
  if (bad !== undefined) throw new InvalidRequestError(`"${bad}" is not a model alias or claude-… model id`, 'model');
  return values;
}

/** `--cidr` values in canonical form; one that is not a range fails naming it. */
export function cidrsFromOptions(values: string[]): string[] {
  return values.map((cidr) => {
    const canonical = canonicalCidr(cidr);
    if (!canonical) throw new InvalidRequestError(`"${cidr}" is not an IP address or CIDR range`, 'cidr');
    return canonical;
  });
}

/** The flags given, as a policy patch (a flag left out stays as it is). */
export function policyFromOptions(options: PolicyOptions): Partial<TokenPolicy> {
  const patch: Partial<TokenPolicy> = {};
  if (options.model !== undefined) patch.models = models(options.model);
  if (options.maxConcurrent !== undefined) patch.maxConcurrentRuns = wholeNumber('--max-concurrent', options.maxConcurrent);
  if (options.rpm !== undefined) patch.runsPerMinute = wholeNumber('--rpm', options.rpm);
  if (options.budgetDay !== undefined) patch.budgetUsdDay = dollars('--budget-day', options.budgetDay);
  if (options.budgetMonth !== undefined) patch.budgetUsdMonth = dollars('--budget-month', options.budgetMonth);
  return patch;
}

/** A token command that takes the policy flags. */
export abstract class PolicyOptionsCommand extends CommandRunner {
  @Option({ flags: '--model <model>', description: 'A model this token may use (repeatable); "none" lifts the list' })
  parseModel(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({ flags: '--max-concurrent <n>', description: 'This token’s share of the run slots; "none" lifts it' })
  parseMaxConcurrent(value: string): string {
    return value;
  }

  @Option({ flags: '--rpm <n>', description: 'Runs this token may start per minute; "none" lifts it' })
  parseRpm(value: string): string {
    return value;
  }

  @Option({ flags: '--budget-day <usd>', description: 'Dollars per UTC day; "none" lifts it' })
  parseBudgetDay(value: string): string {
    return value;
  }

  @Option({ flags: '--budget-month <usd>', description: 'Dollars per UTC month; "none" lifts it' })
  parseBudgetMonth(value: string): string {
    return value;
  }
}
