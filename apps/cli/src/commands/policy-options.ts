import { InvalidRequestError, isModelName, TokenPolicy } from '@clawdforge/core';
import { CommandRunner, Option } from 'nest-commander';

/** The policy flags `tokens create` and `tokens update` share; `none` lifts a limit. */
export interface PolicyOptions {
  model?: string[] | null;
  maxConcurrent?: number | null;
  rpm?: number | null;
  budgetDay?: number | null;
  budgetMonth?: number | null;
}

/** The flags given, as a policy patch (a flag left out stays as it is). */
export function policyFromOptions(options: PolicyOptions): Partial<TokenPolicy> {
  const patch: Partial<TokenPolicy> = {};
  if (options.model !== undefined) patch.models = options.model;
  if (options.maxConcurrent !== undefined) patch.maxConcurrentRuns = options.maxConcurrent;
  if (options.rpm !== undefined) patch.runsPerMinute = options.rpm;
  if (options.budgetDay !== undefined) patch.budgetUsdDay = options.budgetDay;
  if (options.budgetMonth !== undefined) patch.budgetUsdMonth = options.budgetMonth;
  return patch;
}

function wholeNumber(flag: string, value: string): number | null {
  if (value === 'none') return null;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidRequestError(`${flag} takes a whole number from 1, or none`, flag);
  return Number(value);
}

function dollars(flag: string, value: string): number | null {
  if (value === 'none') return null;
  const amount = Number(value);
  if (value.trim() === '' || !Number.isFinite(amount) || amount < 0) throw new InvalidRequestError(`${flag} takes dollars (0 or more), or none`, flag);
  return amount;
}

/** A token command that takes the policy flags. */
export abstract class PolicyOptionsCommand extends CommandRunner {
  @Option({ flags: '--model <model>', description: 'A model this token may use (repeatable); "none" lifts the list' })
  parseModel(value: string, previous: string[] | null = []): string[] | null {
    if (value === 'none') return null;
    if (!isModelName(value)) throw new InvalidRequestError(`"${value}" is not a model alias or claude-… model id`, 'model');
    return [...(previous ?? []), value];
  }

  @Option({ flags: '--max-concurrent <n>', description: 'This token’s share of the run slots; "none" lifts it' })
  parseMaxConcurrent(value: string): number | null {
    return wholeNumber('--max-concurrent', value);
  }

  @Option({ flags: '--rpm <n>', description: 'Runs this token may start per minute; "none" lifts it' })
  parseRpm(value: string): number | null {
    return wholeNumber('--rpm', value);
  }

  @Option({ flags: '--budget-day <usd>', description: 'Dollars per UTC day; "none" lifts it' })
  parseBudgetDay(value: string): number | null {
    return dollars('--budget-day', value);
  }

  @Option({ flags: '--budget-month <usd>', description: 'Dollars per UTC month; "none" lifts it' })
  parseBudgetMonth(value: string): number | null {
    return dollars('--budget-month', value);
  }
}
