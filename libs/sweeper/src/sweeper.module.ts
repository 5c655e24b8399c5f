import { Module } from '@nestjs/common';
import { AuditModule } from '@clawdforge/audit';
import { FilesModule } from '@clawdforge/files';
import { IdempotencyModule } from '@clawdforge/idempotency';
import { SessionsModule } from '@clawdforge/sessions';
import { SweeperService } from './sweeper.service';

@Module({
  imports: [AuditModule, FilesModule, SessionsModule, IdempotencyModule],
  providers: [SweeperService],
  exports: [SweeperService],
})
export class SweeperModule {}
