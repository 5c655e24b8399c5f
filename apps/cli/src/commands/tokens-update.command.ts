import { TokensService } from '@clawdforge/auth';
import { canonicalCidr, InvalidRequestError } from '@clawdforge/core';
import { Option, SubCommand } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';
import { policyFromOptions, PolicyOptions, PolicyOptionsCommand } from './policy-options';

interface Options extends PolicyOptions {
  cidr?: string[] | null;
}

@SubCommand({ name: 'update', arguments: '<name>', description: 'Change a live token’s policy or ranges (as PATCH /admin/tokens/:name); applies to its next request' })
export class TokensUpdateCommand extends PolicyOptionsCommand {
  constructor(
    private readonly tokens: TokensService,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run([name]: string[], options: Options): Promise<void> {
    await reportFailure(this.printer, async () => {
      const patch = { ...policyFromOptions(options), ...(options.cidr !== undefined ? { ipCidrs: options.cidr } : {}) };
      if (Object.keys(patch).length === 0) throw new InvalidRequestError('name at least one of --model, --max-concurrent, --rpm, --budget-day, --budget-month, --cidr', 'options');
      const token = await this.tokens.update(name, patch);
      this.printer.err(`updated "${token.name}"`);
      this.printer.out(
        JSON.stringify({
          name: token.name,
          ip_cidrs: token.ipCidrs,
          models: token.models,
          max_concurrent_runs: token.maxConcurrentRuns,
          runs_per_minute: token.runsPerMinute,
          budget_usd_day: token.budgetUsdDay,
          budget_usd_month: token.budgetUsdMonth,
        }),
      );
    });
  }

  @Option({ flags: '--cidr <cidr>', description: 'Allow only this range (repeatable); "none" removes the token’s own ranges' })
  parseCidr(value: string, previous: string[] | null = []): string[] | null {
    if (value === 'none') return null;
    const canonical = canonicalCidr(value);
    if (!canonical) throw new InvalidRequestError(`"${value}" is not an IP address or CIDR range`, 'cidr');
    return [...(previous ?? []), canonical];
  }
}
