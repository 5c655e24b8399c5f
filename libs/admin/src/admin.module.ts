import { Module } from '@nestjs/common';
import { AuditModule } from '@clawdforge/audit';
import { AuthModule } from '@clawdforge/auth';
import { AuditController } from './audit.controller';
import { TokensController } from './tokens.controller';

@Module({
  imports: [AuthModule, AuditModule],
  controllers: [TokensController, AuditController],
})
export class AdminModule {}
