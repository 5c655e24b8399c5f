import { Module } from '@nestjs/common';
import { RunnersModule } from '@clawdforge/runners';
import { CliVersionsService } from './cli-versions.service';
import { HealthController } from './health.controller';

@Module({
  imports: [RunnersModule],
  providers: [CliVersionsService],
  controllers: [HealthController],
  exports: [CliVersionsService],
})
export class HealthModule {}
