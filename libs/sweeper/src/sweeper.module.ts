import { Module } from '@nestjs/common';
import { AuditModule } from '@clawdforge/audit';
import { FilesModule } from '@clawdforge/files';
import { IdempotencyModule } from '@clawdforge/idempotency';
import { RunModule } from '@clawdforge/run';
import { SessionsModule } from '@clawdforge/sessions';
import { SweeperService } from './sweeper.service';

@Module({
  imports: [AuditModule, FilesModule, SessionsModule, IdempotencyModule, RunModule],
  providers: [SweeperService],
  exports: [SweeperService],
})
export class SweeperModule {}
