import { Module } from '@nestjs/common';
import { AuditModule } from '@clawdforge/audit';
import { RunnersModule } from '@clawdforge/runners';
import { ToolsModule } from '@clawdforge/tools';
import { CliVersionsService } from './cli-versions.service';
import { HealthController } from './health.controller';

@Module({
  imports: [RunnersModule, AuditModule, ToolsModule],
  providers: [CliVersionsService],
  controllers: [HealthController],
  exports: [CliVersionsService],
})
export class HealthModule {}
