import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { AppConfig, ConfigError, projectRoot } from '@clawdforge/core';
import { buildChildEnv } from './child-env';
import { ProcessRunner } from './process-runner';

export type SessionPermissions = AppConfig['sessions']['permissions'];
export const SESSION_PERMISSION_VALUES: SessionPermissions[] = ['deny-all', 'approve-reads', 'approve-all'];

/** What a shell command needs to run at all: programs, libraries and system configuration. */
const SHELL_READABLE = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/etc', '/dev'];

/** Files an agent would misuse as configuration of its own next run, were it able to write them. */
const AGENT_CONFIG_FILES = ['.claude', '.acpxrc.json', '.mcp.json'];

/** The tools a session's claude agent has, by SESSION_PERMISSIONS; under --restricted no other tool exists. */
export const SESSION_TOOLS: Record<SessionPermissions, string> = {
  'deny-all': '',
  'approve-reads': 'Read,Grep,Glob',
  'approve-all': 'Read,Grep,Glob,Edit,Write,NotebookEdit,Bash',
};

/** How acpx answers an agent's permission requests: never "yes" short of approve-all. */
const ACPX_PERMISSIONS: Record<SessionPermissions, string> = {
  'deny-all': '--deny-all',
  'approve-reads': '--deny-all',
  'approve-all': '--approve-all',
};

/** Where the shell of approve-all runs: Claude Code's own sandbox (bubblewrap, with socat), or nowhere. */
export type ShellSandbox = 'bwrap' | 'none';

export interface ConfinementStatus {
  /** The claude CLI's --restricted: file tools confined to the working directory, no shell, no bypass. */
  file_tools: 'restricted';
  session_permissions: SessionPermissions;
  /** The OS sandbox around approve-all's shell; `not_needed` when no setting gives a shell. */
  shell_sandbox: ShellSandbox | 'not_needed';
  /** True only with approve-all, no OS sandbox, and ALLOW_UNSANDBOXED_AGENTS=1. */
  unsandboxed_agents: boolean;
}

/**
 * Holds every claude the gateway starts, for a run or a session, inside its own working directory.
 * One decision, taken here from config, so no caller can start an unconfined agent by forgetting a
 * flag:
 *
 * - `--restricted` (the CLI's own confinement): file tools refuse any path outside the working
 *   directory, symlinks resolved; no shell or web tools unless named; bypassPermissions refused;
 *   user, project and local settings (and so their hooks) ignored.
 * - `--tools`: only the tools the setting grants exist at all.
 * - `--settings` deny rules over the login's config directory, uploads, the database, acpx state and
 *   the server's `.env`, for the case the first layer ever gives way; hooks off; bypass disabled.
 * - Sessions reach claude through the adapter, so its CLAUDE_CODE_EXECUTABLE is a small wrapper
 *   (libs/runners/bin/claude-confined) that appends these flags after the adapter's own.
 * - approve-all adds Bash, which runs only inside Claude Code's OS sandbox (bubblewrap) with the
 *   same places hidden and failIfUnavailable set; without one the server refuses to start unless
 *   ALLOW_UNSANDBOXED_AGENTS=1.
 */
export class AgentConfinement {
  private readonly logger = new Logger(AgentConfinement.name);
  private readonly root = projectRoot();

  private constructor(
    private readonly config: AppConfig,
    readonly shellSandbox: ShellSandbox,
  ) {}

  /** Probes for the shell sandbox only when a setting gives agents a shell. */
  static async create(config: AppConfig, processes: ProcessRunner): Promise<AgentConfinement> {
    const needsShell = config.sessions.permissions === 'approve-all';
    return new AgentConfinement(config, needsShell ? await probeShellSandbox(processes) : 'none');
  }

  /** The server's own start-up check (the admin CLI only reports it): a shell never runs unsandboxed unless the operator said so. */
  assertServable(): void {
    if (this.config.sessions.permissions !== 'approve-all' || this.shellSandbox !== 'none') return;
    if (!this.config.sessions.allowUnsandboxedAgents) {
      throw new ConfigError(
        'SESSION_PERMISSIONS',
        'is approve-all, which gives agents a shell, and no OS sandbox is available for it (install bubblewrap and socat), ' +
          'so the server will not start; set ALLOW_UNSANDBOXED_AGENTS=1 to run agents\u2019 shells unconfined anyway',
      );
    }
    this.logger.warn('ALLOW_UNSANDBOXED_AGENTS=1: approve-all sessions run their shell WITHOUT an OS sandbox; any caller can read what the server can');
  }

  status(): ConfinementStatus {
    const shell = this.config.sessions.permissions === 'approve-all';
    return {
      file_tools: 'restricted',
      session_permissions: this.config.sessions.permissions,
      shell_sandbox: shell ? this.shellSandbox : 'not_needed',
      unsandboxed_agents: shell && this.shellSandbox === 'none',
    };
  }

  /** Appended to a one-shot run's argv (its --tools come from RUN_TOOLS). */
  runArgs(cwd: string): string[] {
    return ['--restricted', `--settings=${JSON.stringify(this.settings(cwd, false))}`];
  }

  /** acpx's answer to permission requests for sessions. */
  acpxPermissions(): string {
    return ACPX_PERMISSIONS[this.config.sessions.permissions];
  }

  /** Environment for acpx, and through it the adapter, so the claude it starts for this session is confined. */
  sessionEnv(cwd: string): Record<string, string> {
    const shell = this.config.sessions.permissions === 'approve-all';
    const args = [
      '--restricted',
      `--tools=${SESSION_TOOLS[this.config.sessions.permissions]}`,
      `--settings=${JSON.stringify(this.settings(cwd, shell))}`,
      // A turn's text is never a command (asMessageText); should one ever reach the CLI, it does not run it.
      '--disable-slash-commands',
    ];
    return {
      CLAUDE_CODE_EXECUTABLE: this.wrapper(),
      CLAWDFORGE_CLAUDE_BIN: path.resolve(this.config.clis.claudeBin),
      CLAWDFORGE_CLAUDE_ARGS: args.join('\n'),
    };
  }

  /** Claude Code settings for one working directory; `shell` adds the OS sandbox for Bash. */
  settings(cwd: string, shell: boolean): Record<string, unknown> {
    const c = this.config;
    const guarded = [...c.logins.map((login) => login.dir), c.paths.filesDir, c.database.path, `${c.database.path}-wal`, `${c.database.path}-shm`, c.paths.acpxHome, c.paths.claudeStateDir];
    if (this.root !== null) guarded.push(path.join(this.root, '.env'));
    const ownConfig = AGENT_CONFIG_FILES.map((name) => path.join(cwd, name));
    const settings: Record<string, unknown> = {
      permissions: {
        deny: [
          ...guarded.flatMap((p) => [`Read(/${p})`, `Read(/${p}/**)`, `Edit(/${p})`, `Edit(/${p}/**)`]),
          ...ownConfig.flatMap((p) => [`Edit(/${p})`, `Edit(/${p}/**)`]),
          'Read(//proc/**)',
          'Read(//sys/**)',
        ],
        disableBypassPermissionsMode: 'disable',
      },
      disableAllHooks: true,
    };
    if (shell) {
      settings.sandbox = {
        enabled: true,
        failIfUnavailable: true,
        allowUnsandboxedCommands: false,
        autoAllowBashIfSandboxed: true,
        // Nothing readable but the system's own directories and the agent's directory.
        filesystem: { denyRead: ['/'], allowRead: [...SHELL_READABLE, cwd], allowWrite: [cwd], denyWrite: ownConfig },
      };
    }
    return settings;
  }

  private wrapper(): string {
    if (this.root === null) throw new Error('the clawdforge package root is not found; libs/runners/bin/claude-confined is needed for sessions');
    return path.join(this.root, 'libs', 'runners', 'bin', 'claude-confined');
  }
}

const PROBE_TIMEOUT_MS = 10_000;

/** bubblewrap and socat present, and bubblewrap able to make a namespace here (containers often forbid it). */
async function probeShellSandbox(processes: ProcessRunner): Promise<ShellSandbox> {
  const env = buildChildEnv(process.env);
  const works = async (command: string, args: string[]) =>
    processes.run(command, { args, env, timeoutMs: PROBE_TIMEOUT_MS, maxOutputBytes: 64 * 1024 }).then(
      (result) => result.outcome === 'exited' && result.exitCode === 0,
      () => false,
    );
  const bwrap = await works('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--die-with-parent', '--', 'true']);
  const socat = await works('socat', ['-V']);
  return bwrap && socat ? 'bwrap' : 'none';
}
