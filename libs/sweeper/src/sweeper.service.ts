import { Injectable, Logger } from '@nestjs/common';
import { FilesService } from '@clawdforge/files';
import { SessionsService } from '@clawdforge/sessions';

export interface SweepReport {
  expiredFiles: number;
  idleSessionsClosed: number;
  closedSessionsDeleted: number;
}

/** One pass over everything that expires; the schedule, the admin CLI and tests all call this. */
@Injectable()
export class SweeperService {
  private readonly logger = new Logger(SweeperService.name);
  private running?: Promise<SweepReport>;

  constructor(
    private readonly files: FilesService,
    private readonly sessions: SessionsService,
  ) {}

  /** Concurrent callers share the pass already under way. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepReport> {
    const expiredFiles = await this.files.sweepExpired();
    const { idleClosed, expiredDeleted } = await this.sessions.sweep();
    const report = { expiredFiles, idleSessionsClosed: idleClosed, closedSessionsDeleted: expiredDeleted };
    if (expiredFiles + idleClosed + expiredDeleted > 0) this.logger.log(`swept: ${JSON.stringify(report)}`);
    return report;
  }
}
