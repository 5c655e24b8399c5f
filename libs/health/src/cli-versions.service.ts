import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { buildChildEnv, CliNotFoundError, ProcessRunner } from '@clawdforge/runners';

export interface CliVersion {
  present: boolean;
  version: string | null;
}

const PROBE_TIMEOUT_MS = 10_000;
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
    this.refreshing ??= Promise.all([this.probe(this.config.claudeBin), this.probe(this.config.acpxBin)])
      .then(([claude, acpx]) => {
        this.claude = claude;
        this.acpx = acpx;
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async probe(bin: string): Promise<CliVersion> {
    try {
      const result = await this.processes.run(bin, {
        args: ['--version'],
        env: buildChildEnv(process.env),
        timeoutMs: PROBE_TIMEOUT_MS,
        maxOutputBytes: 64 * 1024,
      });
      const firstLine = result.stdout.trim().split('\n')[0]?.trim().slice(0, 100) ?? '';
      if (result.outcome !== 'exited' || result.exitCode !== 0 || firstLine === '') {
        this.logger.warn(`${bin} --version failed (${result.outcome}, exit ${result.exitCode})`);
        return { present: true, version: null };
      }
      return { present: true, version: firstLine };
    } catch (error) {
      if (!(error instanceof CliNotFoundError)) this.logger.warn(`${bin} --version: ${(error as Error).message}`);
      return UNKNOWN;
    }
  }
}
