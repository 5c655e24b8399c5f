import { Module } from '@nestjs/common';
import { FilesModule } from '@clawdforge/files';
import { SessionsModule } from '@clawdforge/sessions';
import { SweeperService } from './sweeper.service';

@Module({
  imports: [FilesModule, SessionsModule],
  providers: [SweeperService],
  exports: [SweeperService],
})
export class SweeperModule {}
