import { Module } from '@nestjs/common';
import { FilesModule } from '@clawdforge/files';
import { SweepSchedule } from './sweep.schedule';
import { SweeperService } from './sweeper.service';

@Module({
  imports: [FilesModule],
  providers: [SweeperService, SweepSchedule],
  exports: [SweeperService],
})
export class SweeperModule {}
