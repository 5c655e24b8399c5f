import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MetricsModule } from '@clawdforge/metrics';
import { UsageController } from './usage.controller';
import { UsageLedger } from './usage-ledger.service';
import { UsagePolicy } from './usage-policy.service';
import { UsageRecord } from './usage-record.entity';

@Module({
  imports: [TypeOrmModule.forFeature([UsageRecord]), MetricsModule],
  providers: [UsageLedger, UsagePolicy],
  controllers: [UsageController],
  exports: [UsageLedger, UsagePolicy],
})
export class UsageModule {}
