import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';

/** Whose state a directory holds: one run's claude process, one session's agent, or a login's health probe. */
export type ClaudeStateOwner = { run: string } | { session: string } | { probe: string };

/** A private state directory and the environment that points a claude child at it and at its login. */
export interface ClaudeState {
  dir: string;
  env: Record<string, string>;
}

/** What of the login's own `.claude.json` a private state starts from: who the login is, never its history or settings. */
interface LoginRecord {
  /** The account a subscription login signed in as. */
  oauthAccount?: unknown;
  /** The login's own device id, which the CLI sends with each request. */
  userID?: unknown;
  /** A Console login's key. */
  primaryApiKey?: unknown;
}

/**
 * Claude Code keeps everything but its credentials in CLAUDE_CONFIG_DIR: transcripts, settings,
 * usage data, caches, plugins. Shared by every run and session, that directory let one app's agent
 * read or change what another's did (a command summarising "recent sessions" read them all). So
 * each run and each session gets a directory of its own under $DATA_DIR/claude-state, removed with
 * it, and the login's directory is only the credential store (CLAUDE_SECURESTORAGE_CONFIG_DIR):
 * the CLI reads its credentials there, and refreshes a subscription login there under its own
 * refresh lock, so every process sees the same, current login and no two refresh it at once.
 *
 * - A subscription login (`claude /login`): `.credentials.json` in the login directory, as is.
 * - A long-lived token (`claude setup-token`): CLAUDE_CODE_OAUTH_TOKEN in the server's environment.
 * - An API key: ANTHROPIC_API_KEY in the server's environment, or the key a Console `/login` keeps
 *   in the login's `.claude.json`, which is handed to the child as ANTHROPIC_API_KEY.
 */
@Injectable()
export class ClaudeStateDirs {
  /** Each login's record as last read (when a state was prepared on it). */
  private readonly logins = new Map<string, LoginRecord>();

  constructor(private readonly config: AppConfig) {}

  dirOf(owner: ClaudeStateOwner): string {
    if ('run' in owner) return path.join(this.config.paths.claudeStateDir, 'runs', owner.run);
    if ('session' in owner) return path.join(this.config.paths.claudeStateDir, 'sessions', owner.session);
    return path.join(this.config.paths.claudeStateDir, 'probes', owner.probe);
  }

  /** Makes the owner's private directory (0700) for a child on the login in `loginDir`. */
  async prepare(owner: ClaudeStateOwner, loginDir: string): Promise<ClaudeState> {
    const dir = this.dirOf(owner);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const login = await readLoginRecord(loginDir);
    this.logins.set(loginDir, login);
    const identity = { oauthAccount: login.oauthAccount, userID: login.userID };
    if (Object.values(identity).some((value) => value !== undefined)) {
      await fs.writeFile(path.join(dir, '.claude.json'), JSON.stringify(identity), { mode: 0o600, flag: 'wx' }).catch(ignoreExisting);
    }
    return { dir, env: this.childEnv(dir, loginDir) };
  }

  /** What points a claude child at its state in `dir` and at the login in `loginDir`. */
  childEnv(dir: string, loginDir: string): Record<string, string> {
    const env: Record<string, string> = { CLAUDE_CONFIG_DIR: dir, CLAUDE_SECURESTORAGE_CONFIG_DIR: loginDir };
    // A Console login's key lives in the login's .claude.json, which the child no longer reads.
    const key = this.logins.get(loginDir)?.primaryApiKey;
    if (typeof key === 'string' && key !== '' && !process.env.ANTHROPIC_API_KEY) env.ANTHROPIC_API_KEY = key;
    return env;
  }

  async remove(owner: ClaudeStateOwner): Promise<void> {
    await fs.rm(this.dirOf(owner), { recursive: true, force: true });
  }

  /** The state directories of runs (none outlives its run, so any found at start is debris); how many there were. */
  async removeAllRuns(): Promise<number> {
    const root = path.join(this.config.paths.claudeStateDir, 'runs');
    const entries = await fs.readdir(root).catch(() => [] as string[]);
    await Promise.all(entries.map((entry) => fs.rm(path.join(root, entry), { recursive: true, force: true })));
    return entries.length;
  }

  /** Sessions that have a state directory now. */
  sessionsWithState(): Promise<string[]> {
    return fs.readdir(path.join(this.config.paths.claudeStateDir, 'sessions')).catch(() => [] as string[]);
  }
}

async function readLoginRecord(loginDir: string): Promise<LoginRecord> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(path.join(loginDir, '.claude.json'), 'utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as LoginRecord) : {};
  } catch {
    return {};
  }
}

function ignoreExisting(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error;
}
