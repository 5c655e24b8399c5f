import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { AppConfig, Clock, decodeCursor, dialectSql } from '@clawdforge/core';
import { sanitizeFileName } from './file-name';
import {
  AttachmentsTooLargeError,
  FileBytesQuotaError,
  FileCountQuotaError,
  FileNotFoundError,
  UnsupportedFileTypeError,
} from './files-errors';
import { isStorageName } from './hashing-disk-storage';
import { detectMediaType } from './media-type';
import { StoredFile } from './stored-file.entity';
import type { UploadedFile } from './upload.interceptor';

export const FILE_TOKEN_PREFIX = 'ff_';

/** Bytes without a row younger than this may be another instance's upload in progress (shared FILES_DIR). */
const SHARED_UPLOAD_GRACE_MS = 60 * 60 * 1000;

/** First key of the advisory locks the quota check takes per owner on PostgreSQL (the second is the token id). */
const FILE_QUOTA_LOCKS = 0x63666671;

/** Inserts the row only if the owner's live files, this one included, stay within both quotas. */
const INSERT_WITHIN_QUOTA = `INSERT INTO "stored_files"
  ("file_token", "owner_token_id", "original_name", "media_type", "size", "sha256", "storage_name", "created_at", "expires_at")
  SELECT CAST(? AS text), CAST(? AS integer), CAST(? AS text), CAST(? AS text), CAST(? AS integer), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text)
  FROM (SELECT COUNT(*) AS "files", COALESCE(SUM("size"), 0) AS "bytes" FROM "stored_files" WHERE "owner_token_id" = CAST(? AS integer) AND "expires_at" > CAST(? AS text)) AS "live"
  WHERE "files" < CAST(? AS integer) AND "bytes" + CAST(? AS integer) <= CAST(? AS bigint)`;

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

  /**
   * Records an upload already on disk, unless it would take the token past FILES_MAX_PER_TOKEN or
   * FILES_MAX_TOTAL_BYTES_PER_TOKEN; on any failure the caller removes the bytes.
   */
  async store(ownerTokenId: number, upload: UploadedFile, ttlSecs: number): Promise<StoredFile> {
    const name = sanitizeFileName(upload.originalname);
    const mediaType = detectMediaType(upload.head, upload.wholeFileIsText);
    if (!mediaType) throw new UnsupportedFileTypeError(name);
    const now = this.clock.now();
    const fileToken = FILE_TOKEN_PREFIX + randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + ttlSecs * 1000);
    const params = [
      fileToken,
      ownerTokenId,
      name,
      mediaType,
      upload.size,
      upload.sha256,
      upload.filename,
      now.toISOString(),
      expiresAt.toISOString(),
      ownerTokenId,
      now.toISOString(),
      this.config.filesMaxPerToken,
      upload.size,
      this.config.filesMaxTotalBytesPerToken,
    ];
    const db = this.files.manager.connection;
    const insert = dialectSql(db, INSERT_WITHIN_QUOTA);
    if (db.options.type === 'postgres') {
      // PostgreSQL's statements see only what was committed when they began, so two racing inserts
      // would both count the same files: the owner's uploads take turns on an advisory lock.
      await this.files.manager.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [FILE_QUOTA_LOCKS, ownerTokenId]);
        await tx.query(insert, params);
      });
    } else {
      // SQLite runs one writer at a time: the quota check and the insert are one statement, so two
      // uploads racing for the last place cannot both take it.
      await this.files.query(insert, params);
    }
    const stored = await this.files.findOne({ where: { fileToken } });
    if (!stored) throw await this.quotaError(ownerTokenId, upload.size);
    return stored;
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
   * without a row or a row without bytes, and both go. Only names the storage engine writes are
   * considered: FILES_DIR may be a directory an operator shares with other files.
   */
  async reconcile(): Promise<void> {
    await fs.mkdir(this.config.filesDir, { recursive: true, mode: 0o700 });
    const entries = await fs.readdir(this.config.filesDir, { withFileTypes: true });
    const ours = entries.filter((entry) => entry.isFile() && isStorageName(entry.name)).map((entry) => entry.name);
    const foreign = entries.length - ours.length;
    const onDisk = new Set(ours);
    const rows = await this.files.find({ select: { id: true, storageName: true } });
    const known = new Set(rows.map((row) => row.storageName));
    // Instances on one PostgreSQL share FILES_DIR and upload while this one starts: their rows are
    // left alone (a FILES_DIR that is not shared after all must not cost the others their files) and
    // so are bytes young enough to be an upload whose row is still to come.
    const shared = this.config.databaseUrl !== null;
    const rowsWithoutBytes = shared ? [] : rows.filter((row) => !onDisk.has(row.storageName));
    if (rowsWithoutBytes.length > 0) await this.files.delete({ id: In(rowsWithoutBytes.map((row) => row.id)) });
    const bytesWithoutRow: string[] = [];
    for (const name of ours) {
      if (known.has(name)) continue;
      if (shared && (await this.ageMs(name)) < SHARED_UPLOAD_GRACE_MS) continue;
      bytesWithoutRow.push(name);
      await this.removeBytes(name);
    }
    if (rowsWithoutBytes.length + bytesWithoutRow.length > 0) {
      this.logger.warn(`reconciled files: ${rowsWithoutBytes.length} rows without bytes, ${bytesWithoutRow.length} files without rows removed`);
    }
    if (foreign > 0) this.logger.log(`FILES_DIR holds ${foreign} other entries; left alone`);
  }

  private async ageMs(storageName: string): Promise<number> {
    const stat = await fs.stat(this.pathOf(storageName)).catch(() => null);
    return stat ? Date.now() - stat.mtimeMs : Infinity;
  }

  /** How many live files the token holds, and their bytes: what its quotas count. */
  async liveUsage(ownerTokenId: number): Promise<{ files: number; bytes: number }> {
    const usage = await this.files
      .createQueryBuilder('f')
      .select('COUNT(*)', 'files')
      .addSelect('COALESCE(SUM(f.size), 0)', 'bytes')
      .where('f.owner_token_id = :owner', { owner: ownerTokenId })
      .andWhere('f.expires_at > :now', { now: this.clock.now().toISOString() })
      .getRawOne<{ files: number; bytes: number }>();
    return { files: Number(usage?.files ?? 0), bytes: Number(usage?.bytes ?? 0) };
  }

  private async quotaError(ownerTokenId: number, size: number): Promise<FileCountQuotaError | FileBytesQuotaError> {
    const usage = await this.liveUsage(ownerTokenId);
    return usage.files >= this.config.filesMaxPerToken
      ? new FileCountQuotaError(this.config.filesMaxPerToken)
      : new FileBytesQuotaError(size, usage.bytes, this.config.filesMaxTotalBytesPerToken);
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
