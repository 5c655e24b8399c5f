import { Module } from '@nestjs/common';
import { AuditModule } from '@clawdforge/audit';
import { AuthModule } from '@clawdforge/auth';
import { FilesModule } from '@clawdforge/files';
import { SessionsModule } from '@clawdforge/sessions';
import { UsageModule } from '@clawdforge/usage';
import { AuditController } from './audit.controller';
import { FilesAdminController } from './files-admin.controller';
import { SessionsAdminController } from './sessions-admin.controller';
import { TokensController } from './tokens.controller';
import { UsageAdminController } from './usage.controller';

@Module({
  imports: [AuthModule, AuditModule, UsageModule, SessionsModule, FilesModule],
  controllers: [TokensController, AuditController, UsageAdminController, SessionsAdminController, FilesAdminController],
})
export class AdminModule {}
