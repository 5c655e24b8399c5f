import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { FilesService } from '@clawdforge/files';
import { SessionsService } from '@clawdforge/sessions';

/**
 * What a crash may have left behind, put right when the server starts. Server only: the admin
 * CLI shares the database while the server runs, and must not take an upload in progress for
 * debris.
 */
@Injectable()
export class StartupReconciliation implements OnApplicationBootstrap {
  constructor(
    private readonly files: FilesService,
    private readonly sessions: SessionsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.files.reconcile();
    await this.sessions.reconcile();
  }
}
