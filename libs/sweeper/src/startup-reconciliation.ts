import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuditService } from '@clawdforge/audit';
import { ERROR_CODES } from '@clawdforge/core';
import { FilesService } from '@clawdforge/files';
import { IdempotencyService } from '@clawdforge/idempotency';
import { BackgroundRuns } from '@clawdforge/run';
import { ChildOwner, ChildRegistry, ClaudeStateDirs, ClaudeWarmPool, RunWorkspace } from '@clawdforge/runners';
import { SessionsService } from '@clawdforge/sessions';

/**
 * What a crash may have left behind, put right when the server starts; then the warm pool starts.
 * Server only: the admin CLI shares the database while the server runs, and must not take an
 * upload in progress for debris (nor start claude processes it will never use).
 */
@Injectable()
export class StartupReconciliation implements OnApplicationBootstrap {
  private readonly logger = new Logger(StartupReconciliation.name);

  constructor(
    private readonly children: ChildRegistry,
    private readonly audit: AuditService,
    private readonly files: FilesService,
    private readonly sessions: SessionsService,
    private readonly pool: ClaudeWarmPool,
    private readonly claudeState: ClaudeStateDirs,
    private readonly runs: RunWorkspace,
    private readonly idempotency: IdempotencyService,
    private readonly background: BackgroundRuns,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const interrupted = this.children.reapOrphans();
    await Promise.all(interrupted.map((owner) => this.closeInterrupted(owner)));
    await this.emptyRunsDir();
    await this.files.reconcile();
    await this.sessions.reconcile();
    await this.idempotency.reconcile();
    await this.background.reconcile();
    // Only now, into an emptied RUNS_DIR: the first spares would otherwise lose their directories.
    this.pool.warmUp();
  }

  /** The request a dead server never answered gets the audit row it never wrote. */
  private closeInterrupted(owner: ChildOwner): Promise<void> {
    const started = new Date(owner.startedAt);
    return this.audit.record({
      at: new Date(),
      requestId: owner.requestId,
      tokenName: owner.tokenName,
      clientIp: owner.clientIp,
      method: owner.method ?? 'POST',
      route: owner.route ?? 'unknown',
      status: ERROR_CODES.interrupted,
      durationMs: Math.max(0, Date.now() - started.getTime()),
      errorCode: 'interrupted',
      model: owner.model,
      promptChars: null,
      responseChars: null,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      toolsRefused: null,
      sessionId: owner.sessionId,
      turnIndex: owner.turnIndex,
      queueMs: null,
      endUser: null,
    });
  }

  /** Each run's directory is removed when the run ends; any left belong to runs a dead server never finished. */
  private async emptyRunsDir(): Promise<void> {
    const dirs = await this.runs.removeAll();
    const states = await this.claudeState.removeAllRuns();
    if (dirs + states > 0) this.logger.warn(`removed ${dirs} run directories and ${states} runs' Claude state left by a previous server`);
  }
}
