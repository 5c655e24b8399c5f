import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { InjectDataSource } from '@nestjs/typeorm';
import { Command, CommandRunner } from 'nest-commander';
import { DataSource } from 'typeorm';
import { AppConfig } from '@clawdforge/core';
import { probeClaudeLogin } from '@clawdforge/health';
import { AgentConfinement, ClaudeStateDirs, CLI_PACKAGES, packageVersionOfBin, PinnedCli, pinMismatch, pinnedCliVersions, probeCliVersion, ProcessRunner, versionNumber } from '@clawdforge/runners';
import { CliPrinter, oneLine } from '../cli-printer';

interface Check {
  name: string;
  run: () => Promise<string | CheckWarning>;
  /** What to do when it fails, unless the failure says more precisely. */
  fix: string;
}

/** Returned by a check that passed with something the operator should know (it does not fail doctor). */
class CheckWarning {
  constructor(readonly detail: string) {}
}

/** Thrown by a check to fail it with this detail, and a fix more precise than the check's own. */
class CheckFailed extends Error {
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

@Command({
  name: 'doctor',
  description: 'Check configuration, database, directories, CLIs and the claude login, one line each (a failing one says how to fix it); exit 1 if any fails',
})
export class DoctorCommand extends CommandRunner {
  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly processes: ProcessRunner,
    private readonly confinement: AgentConfinement,
    private readonly claudeState: ClaudeStateDirs,
    private readonly printer: CliPrinter,
  ) {
    super();
  }

  async run(): Promise<void> {
    let failed = 0;
    for (const check of this.checks()) {
      try {
        const said = await check.run();
        this.printer.out(said instanceof CheckWarning ? `WARN  ${check.name}: ${said.detail}` : `ok    ${check.name}: ${said}`);
      } catch (error) {
        failed++;
        const fix = (error instanceof CheckFailed && error.fix) || check.fix;
        this.printer.out(`FAIL  ${check.name}: ${oneLine((error as Error).message)} — fix: ${fix}`);
      }
    }
    if (failed > 0) process.exitCode = 1;
  }

  private checks(): Check[] {
    const c = this.config;
    return [
      { name: 'configuration', run: async () => `valid; DATA_DIR ${c.paths.dataDir}, port ${c.server.port}`, fix: 'correct the variable named above (see .env.example)' },
      {
        name: 'admin token',
        run: async () => {
          if (c.server.adminToken === null) throw new CheckFailed('ADMIN_BOOTSTRAP_TOKEN is not set here; the server will not start without it');
          return 'ADMIN_BOOTSTRAP_TOKEN is set';
        },
        fix: 'set ADMIN_BOOTSTRAP_TOKEN (24 characters or more) in the environment or .env, or ADMIN_BOOTSTRAP_TOKEN_FILE',
      },
      {
        name: 'database',
        run: async () => {
          await this.db.query('SELECT 1');
          const where = c.database.url === null ? c.database.path : `PostgreSQL at ${withoutPassword(c.database.url)}`;
          if (await this.db.showMigrations()) throw new CheckFailed(`${where} has migrations pending`, 'start the server once: it migrates at start-up');
          return `${where}, migrated`;
        },
        fix: c.database.url === null ? 'make DATABASE_PATH (and its directory) readable and writable by this user' : 'check DATABASE_URL and that the PostgreSQL server is up',
      },
      ...[
        ['DATA_DIR', c.paths.dataDir],
        ['FILES_DIR', c.paths.filesDir],
        ['RUNS_DIR', c.paths.runsDir],
        ['ACPX_SESSIONS_CWD', c.paths.sessionsCwd],
        ['ACPX_HOME', c.paths.acpxHome],
      ].map(([name, dir]) => ({ name, run: () => writable(dir), fix: `make it writable by the server's user (chown), or point ${name} at a directory that is` })),
      { name: 'claude', run: () => this.version('claude', c.clis.claudeBin), fix: 'run "npm ci" (it installs the pinned claude CLI), or set CLAUDE_BIN' },
      { name: 'acpx', run: () => this.version('acpx', c.clis.acpxBin), fix: 'run "npm ci" (it installs the pinned acpx), or set ACPX_BIN' },
      { name: 'claude login', run: () => this.claudeLogin(), fix: 'run "claude /login" as the server\'s user, or set ANTHROPIC_API_KEY' },
      {
        name: 'agent confinement',
        run: async () => this.confinementReport(),
        fix: 'install bubblewrap and socat (apt-get install bubblewrap socat), or use SESSION_PERMISSIONS=approve-reads',
      },
      {
        name: 'Claude ACP adapter',
        run: async () => {
          const bin = c.clis.claudeAcpBin;
          if (bin === null) throw new CheckFailed(`${CLI_PACKAGES.claudeAcp} is not installed beside acpx (or set CLAUDE_ACP_BIN)`);
          const version = packageVersionOfBin(bin, CLI_PACKAGES.claudeAcp);
          const drift = pinMismatch('claudeAcp', version, pinnedCliVersions().claudeAcp);
          return drift ? new CheckWarning(`${drift} (${bin})`) : `${version ?? 'version unknown'} (${bin})`;
        },
        fix: 'run "npm ci" (it installs the pinned adapter)',
      },
    ];
  }

  private confinementReport(): string {
    const status = this.confinement.status();
    const base = `file tools restricted to their own directory; SESSION_PERMISSIONS=${status.session_permissions}`;
    if (status.shell_sandbox === 'not_needed') return `${base}; no agent has a shell`;
    if (status.shell_sandbox === 'bwrap') return `${base}; agents' shell runs in an OS sandbox (bubblewrap)`;
    if (!this.config.sessions.allowUnsandboxedAgents) {
      throw new CheckFailed(`${base}, but no OS sandbox is available for agents' shell; the server will not start`);
    }
    return `${base}; UNSANDBOXED: agents' shell runs without an OS sandbox (ALLOW_UNSANDBOXED_AGENTS=1)`;
  }

  /** The probe /healthz reports from, so both say the same about each login (CLAUDE_CONFIG_DIRS). */
  private async claudeLogin(): Promise<string> {
    const said: string[] = [];
    for (const { label, dir } of this.config.logins) {
      const login = await probeClaudeLogin(this.processes, this.config, this.claudeState, { label, dir });
      const name = this.config.logins.length > 1 ? `login "${label}": ` : '';
      if (!login.loggedIn) {
        const why = login.problem ? ` (${login.problem})` : '';
        throw new CheckFailed(`${name}not logged in${why}`, `run "CLAUDE_CONFIG_DIR=${dir} claude /login" as the server's user, or set ANTHROPIC_API_KEY`);
      }
      said.push(`${name}logged in with ${login.method ?? 'an unnamed method'}${login.expiresAt ? `, until ${login.expiresAt}` : ''}`);
    }
    return said.join('; ');
  }

  /** The version /healthz reports; a warning when it is not the one package.json pins. */
  private async version(cli: PinnedCli, bin: string): Promise<string | CheckWarning> {
    const probe = await probeCliVersion(this.processes, bin);
    if (!probe.version) throw new CheckFailed(probe.problem ?? `${bin} gave no version`);
    const drift = pinMismatch(cli, versionNumber(probe.version), pinnedCliVersions()[cli]);
    return drift ? new CheckWarning(`${drift} (${bin})`) : `${probe.version} (${bin})`;
  }
}

async function writable(dir: string): Promise<string> {
  const probe = path.join(dir, `.doctor-${process.pid}`);
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(probe, 'ok');
    await fs.rm(probe);
    return `${dir} is writable`;
  } catch (error) {
    throw new CheckFailed(`${dir} is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** A database URL fit to print: its password, if any, replaced. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
