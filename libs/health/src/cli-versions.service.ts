import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { ClaudeStateDirs, CliVersion, pinMismatch, pinnedCliVersions, probeCliVersion, ProcessRunner, versionNumber } from '@clawdforge/runners';
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
  private readonly pins = pinnedCliVersions();
  claude: CliVersion = UNKNOWN;
  acpx: CliVersion = UNKNOWN;
  /** Each login of CLAUDE_CONFIG_DIRS, in order. */
  claudeLogins: ClaudeLogin[] = [];
  /** The first login that is logged in, else the first login. */
  get claudeLogin(): ClaudeLogin {
    return this.claudeLogins.find((login) => login.loggedIn) ?? this.claudeLogins[0] ?? NOT_PROBED;
  }

  constructor(
    private readonly config: AppConfig,
    private readonly processes: ProcessRunner,
    private readonly claudeState: ClaudeStateDirs,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.server.healthProbeIntervalSecs * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One refresh at a time; a caller during a refresh waits for that one. */
  refresh(): Promise<void> {
    this.refreshing ??= Promise.all([
      probeCliVersion(this.processes, this.config.clis.claudeBin),
      probeCliVersion(this.processes, this.config.clis.acpxBin),
      Promise.all(this.config.logins.map((login) => probeClaudeLogin(this.processes, this.config, this.claudeState, login))),
    ])
      .then(([claude, acpx, logins]) => {
        for (const [name, probe] of [['claude', claude], ['acpx', acpx]] as const) {
          if (probe.problem && probe.present) this.logger.warn(`${name}: ${probe.problem}`);
          // Once per version seen, not at every probe.
          const drift = pinMismatch(name, versionNumber(probe.version), this.pins[name]);
          if (drift && probe.version !== this[name].version) this.logger.warn(drift);
        }
        // Once when a login goes missing (at boot too), not at every probe while it stays missing.
        logins.forEach((login, i) => {
          const was = this.claudeLogins[i];
          const name = this.config.logins.length > 1 ? ` (login "${this.config.logins[i].label}")` : '';
          if (claude.present && (was === undefined || was.loggedIn) && !login.loggedIn) {
            this.logger.warn(`claude is not logged in${name}${login.problem ? ` (${login.problem})` : ''}: its runs fail until "claude /login" is run as the server's user`);
          }
        });
        this.claude = claude;
        this.acpx = acpx;
        this.claudeLogins = logins;
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}
