import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';

/** The filesystem side of sessions: each session's working directory under ACPX_SESSIONS_CWD, and acpx's home. */
@Injectable()
export class SessionWorkspace {
  constructor(private readonly config: AppConfig) {}

  /** Where a new session's agent works. */
  dirOf(id: string): string {
    return path.join(this.config.acpxSessionsCwd, id);
  }

  async prepare(cwd: string): Promise<void> {
    await fs.mkdir(cwd, { recursive: true, mode: 0o700 });
  }

  async remove(cwd: string): Promise<void> {
    await fs.rm(cwd, { recursive: true, force: true });
  }

  exists(cwd: string): Promise<boolean> {
    return fs.stat(cwd).then(
      () => true,
      () => false,
    );
  }

  /** At server start: the roots every session's directories live under. */
  async ensureRoots(): Promise<void> {
    await fs.mkdir(this.config.acpxSessionsCwd, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.config.acpxHome, { recursive: true, mode: 0o700 });
  }
}
