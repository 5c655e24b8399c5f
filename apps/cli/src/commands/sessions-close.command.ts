import { SessionsService } from '@clawdforge/sessions';
import { CommandRunner, SubCommand } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';

@SubCommand({ name: 'close', arguments: '<id>', description: 'Soft-close any token’s session' })
export class SessionsCloseCommand extends CommandRunner {
  constructor(
    private readonly sessions: SessionsService,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    await reportFailure(this.printer, async () => {
      const session = await this.sessions.closeAny(id);
      this.printer.out(`closed ${session.id} at ${session.closedAt?.toISOString()}`);
    });
  }
}
