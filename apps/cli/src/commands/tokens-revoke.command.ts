import { TokensService } from '@clawdforge/auth';
import { CommandRunner, SubCommand } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';

@SubCommand({ name: 'revoke', arguments: '<name>', description: 'Revoke an app token; the next request with it is refused' })
export class TokensRevokeCommand extends CommandRunner {
  constructor(
    private readonly tokens: TokensService,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run([name]: string[]): Promise<void> {
    await reportFailure(this.printer, async () => {
      const token = await this.tokens.revoke(name);
      this.printer.out(`revoked "${token.name}" at ${token.revokedAt?.toISOString()}`);
    });
  }
}
