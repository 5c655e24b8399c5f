import { Injectable, Logger } from '@nestjs/common';
import { FilesService } from '@clawdforge/files';

export interface SweepReport {
  expiredFiles: number;
}

/** One pass over everything that expires; the schedule, the admin CLI and tests all call this. */
@Injectable()
export class SweeperService {
  private readonly logger = new Logger(SweeperService.name);
  private running?: Promise<SweepReport>;

  constructor(private readonly files: FilesService) {}

  /** Concurrent callers share the pass already under way. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepReport> {
    const report = { expiredFiles: await this.files.sweepExpired() };
    if (report.expiredFiles > 0) this.logger.log(`swept ${report.expiredFiles} expired files`);
    return report;
  }
}
