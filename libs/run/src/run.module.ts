import { Module } from '@nestjs/common';
import { FilesModule } from '@clawdforge/files';
import { RunnersModule } from '@clawdforge/runners';
import { UsageModule } from '@clawdforge/usage';
import { GlobalRunSlots } from './global-run-slots';
import { RunQueue } from './run-queue';
import { RunController } from './run.controller';
import { RunService } from './run.service';

@Module({
  imports: [RunnersModule, FilesModule, UsageModule],
  providers: [RunQueue, GlobalRunSlots, RunService],
  exports: [GlobalRunSlots, RunService],
  controllers: [RunController],
})
export class RunModule {}
