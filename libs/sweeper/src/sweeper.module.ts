import { Module } from '@nestjs/common';
import { AuditModule } from '@clawdforge/audit';
import { FilesModule } from '@clawdforge/files';
import { SessionsModule } from '@clawdforge/sessions';
import { SweeperService } from './sweeper.service';

@Module({
  imports: [AuditModule, FilesModule, SessionsModule],
  providers: [SweeperService],
  exports: [SweeperService],
})
export class SweeperModule {}
