import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { AppConfig, Clock, decodeCursor } from '@clawdforge/core';
import { sanitizeFileName } from './file-name';
import { AttachmentsTooLargeError, FileNotFoundError, UnsupportedFileTypeError } from './files-errors';
import { detectMediaType } from './media-type';
import { StoredFile } from './stored-file.entity';
import type { UploadedFile } from './upload.interceptor';

export const FILE_TOKEN_PREFIX = 'ff_';

/** A file ready to go into a run: where its bytes are and what they are. */
export interface Attachment {
  fileToken: string;
  name: string;
  mediaType: string;
  size: number;
  path: string;
}

@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    @InjectRepository(StoredFile) private readonly files: Repository<StoredFile>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Records an upload already on disk; the file is removed if it cannot be recorded. */
  async store(ownerTokenId: number, upload: UploadedFile, ttlSecs: number): Promise<StoredFile> {
    const name = sanitizeFileName(upload.originalname);
    const mediaType = detectMediaType(upload.head, upload.size);
    if (!mediaType) throw new UnsupportedFileTypeError(name);
    const now = this.clock.now();
    const file = this.files.create({
      fileToken: FILE_TOKEN_PREFIX + randomBytes(24).toString('base64url'),
      ownerTokenId,
      originalName: name,
      mediaType,
      size: upload.size,
      sha256: upload.sha256,
      storageName: upload.filename,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlSecs * 1000),
    });
    await this.files.insert(file);
    return file;
  }

  /** This token's unexpired files, newest first; `limit + 1` rows so the caller can tell if more exist. */
  list(ownerTokenId: number, limit: number, cursor?: string): Promise<StoredFile[]> {
    const before = decodeCursor(cursor);
    const query = this.files
      .createQueryBuilder('f')
      .where('f.owner_token_id = :owner', { owner: ownerTokenId })
      .andWhere('f.expires_at > :now', { now: this.clock.now().toISOString() })
      .orderBy('f.id', 'DESC')
      .take(limit + 1);
    if (before !== undefined) query.andWhere('f.id < :before', { before });
    return query.getMany();
  }

  /** Live files of the given owners (all owners when none are given), newest first, for the admin CLI. */
  listAll(limit: number, ownerTokenIds?: number[]): Promise<StoredFile[]> {
    const query = this.files
      .createQueryBuilder('f')
      .where('f.expires_at > :now', { now: this.clock.now().toISOString() })
      .orderBy('f.id', 'DESC')
      .take(limit);
    if (ownerTokenIds !== undefined) query.andWhere('f.owner_token_id IN (:...owners)', { owners: ownerTokenIds.length > 0 ? ownerTokenIds : [-1] });
    return query.getMany();
  }

  async delete(ownerTokenId: number, fileToken: string): Promise<StoredFile> {
    const file = await this.findLive(ownerTokenId, fileToken);
    await this.files.delete({ id: file.id });
    await this.removeBytes(file.storageName);
    return file;
  }

  /** The caller's live files for a run, in the order given; any other token, expired or unknown one is a 404 naming it. */
  async attachments(ownerTokenId: number, fileTokens: string[]): Promise<Attachment[]> {
    const wanted = [...new Set(fileTokens)];
    if (wanted.length === 0) return [];
    const rows = await this.files.find({
      where: { fileToken: In(wanted), ownerTokenId, expiresAt: MoreThan(this.clock.now()) },
    });
    const byToken = new Map(rows.map((row) => [row.fileToken, row]));
    const missing = wanted.find((token) => !byToken.has(token));
    if (missing !== undefined) throw new FileNotFoundError(missing);
    const total = rows.reduce((sum, row) => sum + row.size, 0);
    if (total > this.config.runAttachmentsMaxBytes) throw new AttachmentsTooLargeError(total, this.config.runAttachmentsMaxBytes);
    return wanted.map((token) => {
      const row = byToken.get(token)!;
      return { fileToken: token, name: row.originalName, mediaType: row.mediaType, size: row.size, path: this.pathOf(row.storageName) };
    });
  }

  /** Deletes expired files, bytes and rows. Returns how many went. */
  async sweepExpired(): Promise<number> {
    const expired = await this.files.find({ where: { expiresAt: LessThanOrEqual(this.clock.now()) } });
    for (const file of expired) {
      await this.files.delete({ id: file.id });
      await this.removeBytes(file.storageName);
    }
    return expired.length;
  }

  /**
   * For server start-up only (a running server may be mid-upload): a crash may have left bytes
   * without a row or a row without bytes, and both go.
   */
  async reconcile(): Promise<void> {
    await fs.mkdir(this.config.filesDir, { recursive: true, mode: 0o700 });
    const onDisk = new Set(await fs.readdir(this.config.filesDir));
    const rows = await this.files.find({ select: { id: true, storageName: true } });
    const known = new Set(rows.map((row) => row.storageName));
    const rowsWithoutBytes = rows.filter((row) => !onDisk.has(row.storageName));
    if (rowsWithoutBytes.length > 0) await this.files.delete({ id: In(rowsWithoutBytes.map((row) => row.id)) });
    const bytesWithoutRow = [...onDisk].filter((name) => !known.has(name));
    for (const name of bytesWithoutRow) await this.removeBytes(name);
    if (rowsWithoutBytes.length + bytesWithoutRow.length > 0) {
      this.logger.warn(`reconciled files: ${rowsWithoutBytes.length} rows without bytes, ${bytesWithoutRow.length} files without rows removed`);
    }
  }

  private async findLive(ownerTokenId: number, fileToken: string): Promise<StoredFile> {
    const file = await this.files.findOne({ where: { fileToken, ownerTokenId, expiresAt: MoreThan(this.clock.now()) } });
    if (!file) throw new FileNotFoundError(fileToken);
    return file;
  }

  private pathOf(storageName: string): string {
    return path.join(this.config.filesDir, storageName);
  }

  private async removeBytes(storageName: string): Promise<void> {
    await fs.rm(this.pathOf(storageName), { force: true });
  }
}
