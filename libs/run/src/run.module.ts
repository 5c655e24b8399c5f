import { Module } from '@nestjs/common';
import { FilesModule } from '@clawdforge/files';
import { RunnersModule } from '@clawdforge/runners';
import { UsageModule } from '@clawdforge/usage';
import { RunQueue } from './run-queue';
import { RunController } from './run.controller';
import { RunService } from './run.service';

@Module({
  imports: [RunnersModule, FilesModule, UsageModule],
  providers: [RunQueue, RunService],
  controllers: [RunController],
})
export class RunModule {}
