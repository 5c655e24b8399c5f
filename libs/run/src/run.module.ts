import { Module } from '@nestjs/common';
import { FilesModule } from '@clawdforge/files';
import { RunnersModule } from '@clawdforge/runners';
import { RunQueue } from './run-queue';
import { RunController } from './run.controller';
import { RunService } from './run.service';

@Module({
  imports: [RunnersModule, FilesModule],
  providers: [RunQueue, RunService],
  controllers: [RunController],
})
export class RunModule {}
