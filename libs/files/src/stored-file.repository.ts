import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { dialectSql } from '@clawdforge/core';
import { StoredFile } from './stored-file.entity';

/** First key of the advisory locks the quota check takes per owner on PostgreSQL (the second is the token id). */
const FILE_QUOTA_LOCKS = 0x63666671;

/** Inserts the row only if the owner's live files, this one included, stay within both quotas. */
const INSERT_WITHIN_QUOTA = `INSERT INTO "stored_files"
  ("file_token", "owner_token_id", "original_name", "media_type", "size", "sha256", "storage_name", "created_at", "expires_at")
  SELECT CAST(? AS text), CAST(? AS integer), CAST(? AS text), CAST(? AS text), CAST(? AS integer), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text)
  FROM (SELECT COUNT(*) AS "files", COALESCE(SUM("size"), 0) AS "bytes" FROM "stored_files" WHERE "owner_token_id" = CAST(? AS integer) AND "expires_at" > CAST(? AS text)) AS "live"
  WHERE "files" < CAST(? AS integer) AND "bytes" + CAST(? AS integer) <= CAST(? AS bigint)`;

/** How many live files an owner may hold, and their bytes. */
export interface FileQuotas {
  maxFiles: number;
  maxBytes: number;
}

/** The `stored_files` table, and nothing else: every read and write of the files' rows goes through here. */
@Injectable()
export class StoredFileRepository {
  constructor(@InjectRepository(StoredFile) private readonly rows: Repository<StoredFile>) {}

  /**
   * Saves the row only if its owner's live files at `now`, this one included, stay within the
   * quotas, checked and written as one step (two uploads racing for the last place cannot both take
   * it); null when they would not.
   */
  async insertWithinQuota(file: Omit<StoredFile, 'id'>, quotas: FileQuotas, now: Date): Promise<StoredFile | null> {
    const params = [
      file.fileToken,
      file.ownerTokenId,
      file.originalName,
      file.mediaType,
      file.size,
      file.sha256,
      file.storageName,
      file.createdAt.toISOString(),
      file.expiresAt.toISOString(),
      file.ownerTokenId,
      now.toISOString(),
      quotas.maxFiles,
      file.size,
      quotas.maxBytes,
    ];
    const db = this.rows.manager.connection;
    const insert = dialectSql(db, INSERT_WITHIN_QUOTA);
    if (db.options.type === 'postgres') {
      // PostgreSQL's statements see only what was committed when they began, so two racing inserts
      // would both count the same files: the owner's uploads take turns on an advisory lock.
      await this.rows.manager.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [FILE_QUOTA_LOCKS, file.ownerTokenId]);
        await tx.query(insert, params);
      });
    } else {
      // SQLite runs one writer at a time: the quota check and the insert are one statement.
      await this.rows.query(insert, params);
    }
    return this.rows.findOne({ where: { fileToken: file.fileToken } });
  }

  /** An owner's live files, newest first, `limit` of them from before the id `before`. */
  page(ownerTokenId: number, now: Date, limit: number, before?: number): Promise<StoredFile[]> {
    const query = this.rows
      .createQueryBuilder('f')
      .where('f.owner_token_id = :owner', { owner: ownerTokenId })
      .andWhere('f.expires_at > :now', { now: now.toISOString() })
      .orderBy('f.id', 'DESC')
      .take(limit);
    if (before !== undefined) query.andWhere('f.id < :before', { before });
    return query.getMany();
  }

  /** Live files of the given owners (all owners when none are given), newest first. */
  listAll(now: Date, limit: number, ownerTokenIds?: number[]): Promise<StoredFile[]> {
    const query = this.rows
      .createQueryBuilder('f')
      .where('f.expires_at > :now', { now: now.toISOString() })
      .orderBy('f.id', 'DESC')
      .take(limit);
    if (ownerTokenIds !== undefined) query.andWhere('f.owner_token_id IN (:...owners)', { owners: ownerTokenIds.length > 0 ? ownerTokenIds : [-1] });
    return query.getMany();
  }

  findLive(ownerTokenId: number, fileToken: string, now: Date): Promise<StoredFile | null> {
    return this.rows.findOne({ where: { fileToken, ownerTokenId, expiresAt: MoreThan(now) } });
  }

  findLiveMany(ownerTokenId: number, fileTokens: string[], now: Date): Promise<StoredFile[]> {
    return this.rows.find({ where: { fileToken: In(fileTokens), ownerTokenId, expiresAt: MoreThan(now) } });
  }

  findExpired(now: Date): Promise<StoredFile[]> {
    return this.rows.find({ where: { expiresAt: LessThanOrEqual(now) } });
  }

  /** Every row's id and the name of its bytes. */
  storageNames(): Promise<Pick<StoredFile, 'id' | 'storageName'>[]> {
    return this.rows.find({ select: { id: true, storageName: true } });
  }

  async delete(ids: number[]): Promise<void> {
    if (ids.length > 0) await this.rows.delete({ id: In(ids) });
  }

  /** How many live files the owner holds at `now`, and their bytes. */
  async liveUsage(ownerTokenId: number, now: Date): Promise<{ files: number; bytes: number }> {
    const usage = await this.rows
      .createQueryBuilder('f')
      .select('COUNT(*)', 'files')
      .addSelect('COALESCE(SUM(f.size), 0)', 'bytes')
      .where('f.owner_token_id = :owner', { owner: ownerTokenId })
      .andWhere('f.expires_at > :now', { now: now.toISOString() })
      .getRawOne<{ files: number; bytes: number }>();
    return { files: Number(usage?.files ?? 0), bytes: Number(usage?.bytes ?? 0) };
  }
}
