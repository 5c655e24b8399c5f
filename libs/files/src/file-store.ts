import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { isStorageName } from './uploaded-file';

/** The uploads' bytes in FILES_DIR, each under the name the storage engine gave it. */
@Injectable()
export class FileStore {
  constructor(private readonly config: AppConfig) {}

  pathOf(storageName: string): string {
    return path.join(this.config.paths.filesDir, storageName);
  }

  async remove(storageName: string): Promise<void> {
    await fs.rm(this.pathOf(storageName), { force: true });
  }

  /** How long ago the bytes were last written; Infinity when they are gone. */
  async ageMs(storageName: string): Promise<number> {
    const stat = await fs.stat(this.pathOf(storageName)).catch(() => null);
    return stat ? Date.now() - stat.mtimeMs : Infinity;
  }

  /**
   * The names of the bytes the storage engine wrote, and how many other entries FILES_DIR holds (it
   * may be a directory an operator shares with other files); makes FILES_DIR when it is missing.
   */
  async contents(): Promise<{ ours: string[]; foreign: number }> {
    await fs.mkdir(this.config.paths.filesDir, { recursive: true, mode: 0o700 });
    const entries = await fs.readdir(this.config.paths.filesDir, { withFileTypes: true });
    const ours = entries.filter((entry) => entry.isFile() && isStorageName(entry.name)).map((entry) => entry.name);
    return { ours, foreign: entries.length - ours.length };
  }
}
