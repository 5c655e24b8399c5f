import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MetricsModule } from '@clawdforge/metrics';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';
import { UsagePolicy } from './usage-policy.service';
import { UsageRecord } from './usage-record.entity';

@Module({
  imports: [TypeOrmModule.forFeature([UsageRecord]), MetricsModule],
  providers: [UsageRepository, UsagePolicy],
  controllers: [UsageController],
  exports: [UsageRepository, UsagePolicy],
})
export class UsageModule {}
