import { Module } from '@nestjs/common';
import { AuditModule } from '@clawdforge/audit';
import { AuthModule } from '@clawdforge/auth';
import { UsageModule } from '@clawdforge/usage';
import { AuditController } from './audit.controller';
import { TokensController } from './tokens.controller';
import { UsageAdminController } from './usage.controller';

@Module({
  imports: [AuthModule, AuditModule, UsageModule],
  controllers: [TokensController, AuditController, UsageAdminController],
})
export class AdminModule {}
