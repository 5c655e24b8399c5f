import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { ClaudeStateDirs } from '@clawdforge/runners';

/**
 * The filesystem side of sessions: each session's working directory under ACPX_SESSIONS_CWD and
 * its own Claude state (ClaudeStateDirs), made together and removed together; and acpx's home.
 */
@Injectable()
export class SessionWorkspace {
  constructor(
    private readonly config: AppConfig,
    private readonly state: ClaudeStateDirs,
  ) {}

  /** Where a new session's agent works. */
  dirOf(id: string): string {
    return path.join(this.config.paths.sessionsCwd, id);
  }

  /** Where a session's agent keeps its Claude state. */
  stateDirOf(id: string): string {
    return this.state.dirOf({ session: id });
  }

  async prepare(session: { id: string; cwd: string }, loginDir: string): Promise<void> {
    await fs.mkdir(session.cwd, { recursive: true, mode: 0o700 });
    await this.state.prepare({ session: session.id }, loginDir);
  }

  async remove(session: { id: string; cwd: string }): Promise<void> {
    await fs.rm(session.cwd, { recursive: true, force: true });
    await this.state.remove({ session: session.id });
  }

  /** Whether anything of the session is left on disk. */
  async exists(session: { id: string; cwd: string }): Promise<boolean> {
    const found = await Promise.all([session.cwd, this.stateDirOf(session.id)].map((dir) => fs.stat(dir).then(() => true, () => false)));
    return found.some(Boolean);
  }

  /** Sessions with a state directory now (a session's lives as long as it is open). */
  withState(): Promise<string[]> {
    return this.state.sessionsWithState();
  }

  /** At server start: the roots every session's directories live under. */
  async ensureRoots(): Promise<void> {
    await fs.mkdir(this.config.paths.sessionsCwd, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.config.paths.acpxHome, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.config.paths.claudeStateDir, { recursive: true, mode: 0o700 });
  }
}
