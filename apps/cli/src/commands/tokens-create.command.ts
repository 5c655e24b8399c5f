import { InvalidRequestError } from '@clawdforge/core';
import { ADMIN_TOKEN_NAME, TOKEN_NAME_PATTERN, TokensService } from '@clawdforge/auth';
import { Option, SubCommand } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';
import { cidrsFromOptions, policyFromOptions, PolicyOptions, PolicyOptionsCommand } from './policy-options';

interface Options extends PolicyOptions {
  cidr?: string[];
}

@SubCommand({ name: 'create', arguments: '<name>', description: 'Mint an app token; the plaintext is printed once, on stdout' })
export class TokensCreateCommand extends PolicyOptionsCommand {
  constructor(
    private readonly tokens: TokensService,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run([name]: string[], options: Options): Promise<void> {
    await reportFailure(this.printer, async () => {
      if (!TOKEN_NAME_PATTERN.test(name) || name === ADMIN_TOKEN_NAME) {
        throw new InvalidRequestError(`name must match ${TOKEN_NAME_PATTERN.source} and not be "${ADMIN_TOKEN_NAME}"`, 'name');
      }
      const cidrs = cidrsFromOptions(options.cidr ?? []);
      const { token, plaintext } = await this.tokens.mint(name, cidrs, policyFromOptions(options));
      this.printer.out(plaintext);
      this.printer.err(`minted "${token.name}"${cidrs.length ? ` for ${cidrs.join(', ')}` : ''}; the token above is not shown again`);
    });
  }

  @Option({ flags: '--cidr <cidr>', description: 'Allow only this range (repeatable)' })
  parseCidr(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }
}
