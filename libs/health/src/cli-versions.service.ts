import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { CliVersion, probeCliVersion, ProcessRunner } from '@clawdforge/runners';
import { ClaudeLogin, probeClaudeLogin } from './claude-login';

const UNKNOWN: CliVersion = { present: false, version: null };
const NOT_PROBED: ClaudeLogin = { loggedIn: false, method: null, expiresAt: null };

/**
 * `claude --version`, `acpx --version` and `claude auth status`, probed once at boot and then
 * refreshed in the background, so /healthz never spawns a process.
 */
@Injectable()
export class CliVersionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CliVersionsService.name);
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  claude: CliVersion = UNKNOWN;
  acpx: CliVersion = UNKNOWN;
  claudeLogin: ClaudeLogin = NOT_PROBED;

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
    this.refreshing ??= Promise.all([
      probeCliVersion(this.processes, this.config.claudeBin),
      probeCliVersion(this.processes, this.config.acpxBin),
      probeClaudeLogin(this.processes, this.config),
    ])
      .then(([claude, acpx, login]) => {
        for (const [name, probe] of [['claude', claude], ['acpx', acpx]] as const) {
          if (probe.problem && probe.present) this.logger.warn(`${name}: ${probe.problem}`);
        }
        // Once when the login goes missing (at boot too), not at every probe while it stays missing.
        const wasLoggedIn = this.claudeLogin === NOT_PROBED || this.claudeLogin.loggedIn;
        if (claude.present && wasLoggedIn && !login.loggedIn) {
          this.logger.warn(`claude is not logged in${login.problem ? ` (${login.problem})` : ''}: runs and sessions fail until "claude /login" is run as the server's user`);
        }
        this.claude = claude;
        this.acpx = acpx;
        this.claudeLogin = login;
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}
