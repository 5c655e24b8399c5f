import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '@clawdforge/audit';
import { AppConfig, Clock } from '@clawdforge/core';
import { FilesService } from '@clawdforge/files';
import { IdempotencyService } from '@clawdforge/idempotency';
import { BackgroundRuns } from '@clawdforge/run';
import { SessionsService } from '@clawdforge/sessions';

export interface SweepReport {
  expiredFiles: number;
  idleSessionsClosed: number;
  closedSessionsDeleted: number;
  auditRowsDeleted: number;
  /** Idempotency-Keys (and the answers kept for them) past IDEMPOTENCY_TTL_SECS. */
  idempotencyKeysExpired: number;
  /** Background runs (and their events) past RUN_RESULT_TTL_SECS after they ended. */
  backgroundRunsExpired: number;
}

/** One pass over everything that expires; the schedule, the admin CLI and tests all call this. */
@Injectable()
export class SweeperService {
  private readonly logger = new Logger(SweeperService.name);
  private running?: Promise<SweepReport>;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly files: FilesService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly background: BackgroundRuns,
  ) {}

  /** Concurrent callers share the pass already under way. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepReport> {
    const expiredFiles = await this.files.sweepExpired();
    const { idleClosed, expiredDeleted } = await this.sessions.sweep();
    const auditRowsDeleted = await this.pruneAudit();
    const idempotencyKeysExpired = await this.idempotency.sweep();
    const backgroundRunsExpired = await this.background.sweep();
    const report = { expiredFiles, idleSessionsClosed: idleClosed, closedSessionsDeleted: expiredDeleted, auditRowsDeleted, idempotencyKeysExpired, backgroundRunsExpired };
    if (expiredFiles + idleClosed + expiredDeleted + auditRowsDeleted + idempotencyKeysExpired + backgroundRunsExpired > 0) this.logger.log(`swept: ${JSON.stringify(report)}`);
    return report;
  }

  private pruneAudit(): Promise<number> {
    if (this.config.sweeper.auditRetentionDays === 0) return Promise.resolve(0);
    return this.audit.pruneBefore(new Date(this.clock.now().getTime() - this.config.sweeper.auditRetentionDays * 86_400_000));
  }
}
