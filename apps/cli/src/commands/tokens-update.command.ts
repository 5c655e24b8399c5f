import { TokenView } from '@clawdforge/admin';
import { TokensService } from '@clawdforge/auth';
import { InvalidRequestError } from '@clawdforge/core';
import { Option, SubCommand } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';
import { cidrsFromOptions, NONE, policyFromOptions, PolicyOptions, PolicyOptionsCommand } from './policy-options';

interface Options extends PolicyOptions {
  cidr?: string[];
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
      const cidrs = options.cidr === undefined ? undefined : options.cidr.includes(NONE) ? null : cidrsFromOptions(options.cidr);
      const patch = { ...policyFromOptions(options), ...(cidrs !== undefined ? { ipCidrs: cidrs } : {}) };
      if (Object.keys(patch).length === 0) throw new InvalidRequestError('name at least one of --model, --max-concurrent, --rpm, --budget-day, --budget-month, --cidr', 'options');
      const token = await this.tokens.update(name, patch);
      this.printer.err(`updated "${token.name}"`);
      this.printer.out(JSON.stringify(TokenView.of(token)));
    });
  }

  @Option({ flags: '--cidr <cidr>', description: 'Allow only this range (repeatable); "none" removes the token’s own ranges' })
  parseCidr(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }
}
