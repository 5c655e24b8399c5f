import type { PublicSurface } from '@clawdforge/core/testing';
import type { SessionWorkspace } from '../session-workspace';

/**
 * Sessions' directories kept in memory: which sessions have a working directory and which a Claude
 * state, made and removed as SessionWorkspace makes and removes them on disk.
 */
export class InMemorySessionWorkspace implements PublicSurface<SessionWorkspace> {
  /** Sessions with a working directory, by id. */
  readonly dirs = new Set<string>();
  /** Sessions with a Claude state directory, and the login each was made on. */
  readonly states = new Map<string, string>();
  rootsMade = false;

  constructor(private readonly root = '/srv/clawdforge/data') {}

  dirOf(id: string): string {
    return `${this.root}/acpx-cwds/${id}`;
  }

  stateDirOf(id: string): string {
    return `${this.root}/claude-state/sessions/${id}`;
  }

  async prepare(session: { id: string; cwd: string }, loginDir: string): Promise<void> {
    this.dirs.add(session.id);
    this.states.set(session.id, loginDir);
  }

  async remove(session: { id: string; cwd: string }): Promise<void> {
    this.dirs.delete(session.id);
    this.states.delete(session.id);
  }

  async exists(session: { id: string; cwd: string }): Promise<boolean> {
    return this.dirs.has(session.id) || this.states.has(session.id);
  }

  async withState(): Promise<string[]> {
    return [...this.states.keys()];
  }

  async ensureRoots(): Promise<void> {
    this.rootsMade = true;
  }
}
