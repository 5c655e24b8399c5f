import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, Clock, decodeCursor } from '@clawdforge/core';
import { FileStore } from './file-store';
import { sanitizeFileName } from './file-name';
import {
  AttachmentsTooLargeError,
  FileBytesQuotaError,
  FileCountQuotaError,
  FileNotFoundError,
  UnsupportedFileTypeError,
} from './files-errors';
import { detectMediaType } from './media-type';
import { StoredFile } from './stored-file.entity';
import { StoredFileRepository } from './stored-file.repository';
import type { UploadedFile } from './uploaded-file';

export const FILE_TOKEN_PREFIX = 'ff_';

/** Bytes without a row younger than this may be another instance's upload in progress (shared FILES_DIR). */
const SHARED_UPLOAD_GRACE_MS = 60 * 60 * 1000;

/** A file ready to go into a run: where its bytes are and what they are. */
export interface Attachment {
  fileToken: string;
  name: string;
  mediaType: string;
  size: number;
  path: string;
}

/** Uploads' rules: what a file may be, the quotas, who may attach it to a run, and when it goes. */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    private readonly files: StoredFileRepository,
    private readonly bytes: FileStore,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Records an upload already on disk, unless it would take the token past FILES_MAX_PER_TOKEN or
   * FILES_MAX_TOTAL_BYTES_PER_TOKEN; on any failure the caller removes the bytes.
   */
  async store(ownerTokenId: number, upload: UploadedFile, ttlSecs: number): Promise<StoredFile> {
    const name = sanitizeFileName(upload.originalname);
    const mediaType = detectMediaType(upload.head, upload.wholeFileIsText);
    if (!mediaType) throw new UnsupportedFileTypeError(name);
    const now = this.clock.now();
    const stored = await this.files.insertWithinQuota(
      {
        fileToken: FILE_TOKEN_PREFIX + randomBytes(24).toString('base64url'),
        ownerTokenId,
        originalName: name,
        mediaType,
        size: upload.size,
        sha256: upload.sha256,
        storageName: upload.filename,
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttlSecs * 1000),
      },
      { maxFiles: this.config.files.maxPerToken, maxBytes: this.config.files.maxTotalBytesPerToken },
      now,
    );
    if (!stored) throw await this.quotaError(ownerTokenId, upload.size);
    return stored;
  }

  /** This token's unexpired files, newest first; `limit + 1` rows so the caller can tell if more exist. */
  list(ownerTokenId: number, limit: number, cursor?: string): Promise<StoredFile[]> {
    return this.files.page(ownerTokenId, this.clock.now(), limit + 1, decodeCursor(cursor));
  }

  /** Live files of the given owners (all owners when none are given), newest first, for the admin CLI. */
  listAll(limit: number, ownerTokenIds?: number[]): Promise<StoredFile[]> {
    return this.files.listAll(this.clock.now(), limit, ownerTokenIds);
  }

  async delete(ownerTokenId: number, fileToken: string): Promise<StoredFile> {
    const file = await this.findLive(ownerTokenId, fileToken);
    await this.files.delete([file.id]);
    await this.bytes.remove(file.storageName);
    return file;
  }

  /** The caller's live files for a run, in the order given; any other token, expired or unknown one is a 404 naming it. */
  async attachments(ownerTokenId: number, fileTokens: string[]): Promise<Attachment[]> {
    const wanted = [...new Set(fileTokens)];
    if (wanted.length === 0) return [];
    const rows = await this.files.findLiveMany(ownerTokenId, wanted, this.clock.now());
    const byToken = new Map(rows.map((row) => [row.fileToken, row]));
    const missing = wanted.find((token) => !byToken.has(token));
    if (missing !== undefined) throw new FileNotFoundError(missing);
    const total = rows.reduce((sum, row) => sum + row.size, 0);
    if (total > this.config.runs.attachmentsMaxBytes) throw new AttachmentsTooLargeError(total, this.config.runs.attachmentsMaxBytes);
    return wanted.map((token) => {
      const row = byToken.get(token)!;
      return { fileToken: token, name: row.originalName, mediaType: row.mediaType, size: row.size, path: this.bytes.pathOf(row.storageName) };
    });
  }

  /** Deletes expired files, bytes and rows. Returns how many went. */
  async sweepExpired(): Promise<number> {
    const expired = await this.files.findExpired(this.clock.now());
    for (const file of expired) {
      await this.files.delete([file.id]);
      await this.bytes.remove(file.storageName);
    }
    return expired.length;
  }

  /**
   * For server start-up only (a running server may be mid-upload): a crash may have left bytes
   * without a row or a row without bytes, and both go. Only names the storage engine writes are
   * considered: FILES_DIR may be a directory an operator shares with other files.
   */
  async reconcile(): Promise<void> {
    const { ours, foreign } = await this.bytes.contents();
    const onDisk = new Set(ours);
    const rows = await this.files.storageNames();
    const known = new Set(rows.map((row) => row.storageName));
    // Instances on one PostgreSQL share FILES_DIR and upload while this one starts: their rows are
    // left alone (a FILES_DIR that is not shared after all must not cost the others their files) and
    // so are bytes young enough to be an upload whose row is still to come.
    const shared = this.config.database.url !== null;
    const rowsWithoutBytes = shared ? [] : rows.filter((row) => !onDisk.has(row.storageName));
    await this.files.delete(rowsWithoutBytes.map((row) => row.id));
    const bytesWithoutRow: string[] = [];
    for (const name of ours) {
      if (known.has(name)) continue;
      if (shared && (await this.bytes.ageMs(name)) < SHARED_UPLOAD_GRACE_MS) continue;
      bytesWithoutRow.push(name);
      await this.bytes.remove(name);
    }
    if (rowsWithoutBytes.length + bytesWithoutRow.length > 0) {
      this.logger.warn(`reconciled files: ${rowsWithoutBytes.length} rows without bytes, ${bytesWithoutRow.length} files without rows removed`);
    }
    if (foreign > 0) this.logger.log(`FILES_DIR holds ${foreign} other entries; left alone`);
  }

  /** How many live files the token holds, and their bytes: what its quotas count. */
  liveUsage(ownerTokenId: number): Promise<{ files: number; bytes: number }> {
    return this.files.liveUsage(ownerTokenId, this.clock.now());
  }

  private async quotaError(ownerTokenId: number, size: number): Promise<FileCountQuotaError | FileBytesQuotaError> {
    const usage = await this.liveUsage(ownerTokenId);
    return usage.files >= this.config.files.maxPerToken
      ? new FileCountQuotaError(this.config.files.maxPerToken)
      : new FileBytesQuotaError(size, usage.bytes, this.config.files.maxTotalBytesPerToken);
  }

  private async findLive(ownerTokenId: number, fileToken: string): Promise<StoredFile> {
    const file = await this.files.findLive(ownerTokenId, fileToken, this.clock.now());
    if (!file) throw new FileNotFoundError(fileToken);
    return file;
  }
}
