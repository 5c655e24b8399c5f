import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { CliVersion, probeCliVersion, ProcessRunner } from '@clawdforge/runners';

const UNKNOWN: CliVersion = { present: false, version: null };

/**
 * `claude --version` and `acpx --version`, probed once at boot and then refreshed in the
 * background, so /healthz never spawns a process.
 */
@Injectable()
export class CliVersionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CliVersionsService.name);
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  claude: CliVersion = UNKNOWN;
  acpx: CliVersion = UNKNOWN;

  constructor(
    private readonly config: AppConfig,
    private readonly processes: ProcessRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.healthProbeIntervalSecs * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One refresh at a time; a caller during a refresh waits for that one. */
  refresh(): Promise<void> {
    this.refreshing ??= Promise.all([probeCliVersion(this.processes, this.config.claudeBin), probeCliVersion(this.processes, this.config.acpxBin)])
      .then(([claude, acpx]) => {
        for (const [name, probe] of [['claude', claude], ['acpx', acpx]] as const) {
          if (probe.problem && probe.present) this.logger.warn(`${name}: ${probe.problem}`);
        }
        this.claude = claude;
        this.acpx = acpx;
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}
