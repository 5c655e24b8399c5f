import type { PublicSurface } from '@clawdforge/core/testing';
import type { FileStore } from '../file-store';
import type { StoredFile } from '../stored-file.entity';
import type { FileQuotas, StoredFileRepository } from '../stored-file.repository';

/**
 * The `stored_files` table kept in memory, with its one rule of its own: a row goes in only while
 * its owner's live files, it included, stay within both quotas. The SQL (and its race on
 * PostgreSQL) is the repository's medium spec's.
 */
export class InMemoryStoredFiles implements PublicSurface<StoredFileRepository> {
  readonly rows: StoredFile[] = [];
  /** Ids are never given twice, as the table's sequence does not (paging by id depends on it). */
  private lastId = 0;

  async insertWithinQuota(file: Omit<StoredFile, 'id'>, quotas: FileQuotas, now: Date): Promise<StoredFile | null> {
    const usage = await this.liveUsage(file.ownerTokenId, now);
    if (usage.files >= quotas.maxFiles || usage.bytes + file.size > quotas.maxBytes) return null;
    const row = { id: ++this.lastId, ...file };
    this.rows.push(row);
    return { ...row };
  }

  async page(ownerTokenId: number, now: Date, limit: number, before?: number): Promise<StoredFile[]> {
    return this.live(now)
      .filter((row) => row.ownerTokenId === ownerTokenId && (before === undefined || row.id < before))
      .sort((a, b) => b.id - a.id)
      .slice(0, limit);
  }

  async listAll(now: Date, limit: number, ownerTokenIds?: number[]): Promise<StoredFile[]> {
    return this.live(now)
      .filter((row) => ownerTokenIds === undefined || ownerTokenIds.includes(row.ownerTokenId))
      .sort((a, b) => b.id - a.id)
      .slice(0, limit);
  }

  async findLive(ownerTokenId: number, fileToken: string, now: Date): Promise<StoredFile | null> {
    return this.live(now).find((row) => row.ownerTokenId === ownerTokenId && row.fileToken === fileToken) ?? null;
  }

  async findLiveMany(ownerTokenId: number, fileTokens: string[], now: Date): Promise<StoredFile[]> {
    return this.live(now).filter((row) => row.ownerTokenId === ownerTokenId && fileTokens.includes(row.fileToken));
  }

  async findExpired(now: Date): Promise<StoredFile[]> {
    return this.rows.filter((row) => row.expiresAt <= now).map((row) => ({ ...row }));
  }

  async storageNames(): Promise<Pick<StoredFile, 'id' | 'storageName'>[]> {
    return this.rows.map(({ id, storageName }) => ({ id, storageName }));
  }

  async delete(ids: number[]): Promise<void> {
    for (const id of ids) {
      const at = this.rows.findIndex((row) => row.id === id);
      if (at >= 0) this.rows.splice(at, 1);
    }
  }

  async liveUsage(ownerTokenId: number, now: Date): Promise<{ files: number; bytes: number }> {
    const rows = this.live(now).filter((row) => row.ownerTokenId === ownerTokenId);
    return { files: rows.length, bytes: rows.reduce((sum, row) => sum + row.size, 0) };
  }

  private live(now: Date): StoredFile[] {
    return this.rows.filter((row) => row.expiresAt > now).map((row) => ({ ...row }));
  }
}

/** FILES_DIR kept in memory: the names of the bytes there (with their age), and how many other entries it holds. */
export class InMemoryFileStore implements PublicSurface<FileStore> {
  /** Bytes by storage name, and how long ago each was written. */
  readonly bytes = new Map<string, { ageMs: number }>();
  foreign = 0;

  constructor(private readonly dir = '/srv/clawdforge/data/files') {}

  /** Bytes the storage engine wrote `ageMs` ago. */
  put(storageName: string, ageMs = 0): this {
    this.bytes.set(storageName, { ageMs });
    return this;
  }

  pathOf(storageName: string): string {
    return `${this.dir}/${storageName}`;
  }

  async remove(storageName: string): Promise<void> {
    this.bytes.delete(storageName);
  }

  async ageMs(storageName: string): Promise<number> {
    return this.bytes.get(storageName)?.ageMs ?? Infinity;
  }

  async contents(): Promise<{ ours: string[]; foreign: number }> {
    return { ours: [...this.bytes.keys()], foreign: this.foreign };
  }
}
