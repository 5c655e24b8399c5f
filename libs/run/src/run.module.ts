import { Module } from '@nestjs/common';
import { FilesModule } from '@clawdforge/files';
import { IdempotencyModule } from '@clawdforge/idempotency';
import { RunnersModule } from '@clawdforge/runners';
import { ToolsModule } from '@clawdforge/tools';
import { UsageModule } from '@clawdforge/usage';
import { GlobalRunSlots } from './global-run-slots';
import { RunQueue } from './run-queue';
import { RunController } from './run.controller';
import { RunService } from './run.service';
import { ToolRunService } from './tool-run.service';

@Module({
  imports: [RunnersModule, FilesModule, UsageModule, ToolsModule, IdempotencyModule],
  providers: [RunQueue, GlobalRunSlots, RunService, ToolRunService],
  exports: [GlobalRunSlots, RunService, ToolRunService, ToolsModule, IdempotencyModule],
  controllers: [RunController],
})
export class RunModule {}
