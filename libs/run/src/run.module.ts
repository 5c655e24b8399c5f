import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FilesModule } from '@clawdforge/files';
import { IdempotencyModule } from '@clawdforge/idempotency';
import { RunnersModule } from '@clawdforge/runners';
import { ToolsModule } from '@clawdforge/tools';
import { UsageModule } from '@clawdforge/usage';
import { BackgroundRun, BackgroundRunEvent } from './background/background-run.entity';
import { BackgroundRunsRepository } from './background/background-runs.repository';
import { BackgroundRuns } from './background/background-runs.service';
import { RunsController } from './background/runs.controller';
import { GlobalRunSlots } from './global-run-slots';
import { RunQueue } from './run-queue';
import { RunController } from './run.controller';
import { RunService } from './run.service';
import { ToolRunService } from './tool-run.service';

@Module({
  imports: [TypeOrmModule.forFeature([BackgroundRun, BackgroundRunEvent]), RunnersModule, FilesModule, UsageModule, ToolsModule, IdempotencyModule],
  providers: [RunQueue, GlobalRunSlots, RunService, ToolRunService, BackgroundRunsRepository, BackgroundRuns],
  exports: [GlobalRunSlots, RunService, ToolRunService, BackgroundRuns, ToolsModule, IdempotencyModule],
  controllers: [RunController, RunsController],
})
export class RunModule {}
