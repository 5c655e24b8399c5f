import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@clawdforge/core';
import { SweeperService } from './sweeper.service';

/**
 * Runs the sweeper every CLAWDFORGE_SWEEP_INTERVAL_SECS; only delegates. Provided by the server
 * alone (not by SweeperModule, which the admin CLI imports); the schedule module clears it at shutdown.
 */
@Injectable()
export class SweepSchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger(SweepSchedule.name);

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly sweeper: SweeperService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const timer = setInterval(() => {
      this.sweeper.sweep().catch((error: Error) => this.logger.error(`sweep failed: ${error.message}`));
    }, this.config.sweeper.intervalSecs * 1000);
    timer.unref();
    this.registry.addInterval('sweep', timer);
  }
}
