import { SweeperService } from '@clawdforge/sweeper';
import { Command, CommandRunner } from 'nest-commander';
import { CliPrinter } from '../cli-printer';
import { reportFailure } from '../command-failure';

@Command({ name: 'sweep', description: 'Run the sweeper once now: expired files, idle and expired sessions' })
export class SweepCommand extends CommandRunner {
  constructor(
    private readonly sweeper: SweeperService,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run(): Promise<void> {
    await reportFailure(this.printer, async () => {
      const report = await this.sweeper.sweep();
      this.printer.out(
        `expired files removed: ${report.expiredFiles}; idle sessions closed: ${report.idleSessionsClosed}; closed sessions deleted: ${report.closedSessionsDeleted}; audit rows pruned: ${report.auditRowsDeleted}; idempotency keys expired: ${report.idempotencyKeysExpired}; background runs expired: ${report.backgroundRunsExpired}`,
      );
    });
  }
}
