import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';

/** A run's working directory under RUNS_DIR, and the temporary directory inside it. */
export interface RunDirectory {
  dir: string;
  tmpDir: string;
}

/** The runs' working directories in RUNS_DIR: one per claude process, removed when its run ends. */
@Injectable()
export class RunWorkspace {
  constructor(private readonly config: AppConfig) {}

  async prepare(id: string): Promise<RunDirectory> {
    const dir = path.join(this.config.paths.runsDir, id);
    const tmpDir = path.join(dir, '.tmp');
    await fs.mkdir(tmpDir, { recursive: true, mode: 0o700 });
    return { dir, tmpDir };
  }

  async remove(id: string): Promise<void> {
    await fs.rm(path.join(this.config.paths.runsDir, id), { recursive: true, force: true });
  }

  /** Every run's directory (none outlives its run, so any found at start is debris); how many there were. */
  async removeAll(): Promise<number> {
    const entries = await fs.readdir(this.config.paths.runsDir).catch(() => [] as string[]);
    await Promise.all(entries.map((entry) => fs.rm(path.join(this.config.paths.runsDir, entry), { recursive: true, force: true })));
    return entries.length;
  }
}
