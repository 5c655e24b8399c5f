import { Module } from '@nestjs/common';
import { FilesModule } from '@clawdforge/files';
import { SessionsModule } from '@clawdforge/sessions';
import { SweepSchedule } from './sweep.schedule';
import { SweeperService } from './sweeper.service';

@Module({
  imports: [FilesModule, SessionsModule],
  providers: [SweeperService, SweepSchedule],
  exports: [SweeperService],
})
export class SweeperModule {}
