import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { decodeCursor, HotStatements } from '@clawdforge/core';
import { AuditEvent } from './audit-event.entity';

export type AuditRecord = Omit<AuditEvent, 'id'>;

/** A batch is written this long after its first row, or sooner when it fills. */
const BATCH_DELAY_MS = 10;
const BATCH_MAX_ROWS = 200;

interface Batch {
  rows: AuditRecord[];
  written: Promise<void>;
  write: () => void;
  timer: NodeJS.Timeout;
}

export interface AuditFilter {
  token?: string;
  route?: string;
  since?: Date;
  limit: number;
  cursor?: string;
}

@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private readonly pending = new Set<Promise<void>>();
  private batch: Batch | null = null;
  private failed = 0;

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly hot: HotStatements,
  ) {}

  /**
   * Queues one row without holding up the response; rows are written in batches, one INSERT per
   * batch, a few milliseconds apart (a single-row insert per request was most of a cheap request's
   * cost), written as SQL rather than by the query builder (HotStatements). A failed write is
   * logged, never thrown: the requests it describes were answered.
   * Resolves when the row is in the database.
   */
  record(record: AuditRecord): Promise<void> {
    const batch = (this.batch ??= this.newBatch());
    batch.rows.push(record);
    if (batch.rows.length >= BATCH_MAX_ROWS) this.writeBatch();
    return batch.written;
  }

  /** Rows that could not be written since start (a full disk, a read-only database): /healthz shows it. */
  get failedRows(): number {
    return this.failed;
  }

  /** Resolves when every row recorded so far is in the database. */
  async flush(): Promise<void> {
    if (this.batch) this.writeBatch();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private newBatch(): Batch {
    const rows: AuditRecord[] = [];
    let write!: () => void;
    const ready = new Promise<void>((resolve) => (write = resolve));
    const written = ready.then(() =>
      this.hot
        .insert(AuditEvent, rows as AuditEvent[])
        .catch((error: Error) => {
          this.failed += rows.length;
          this.logger.error(`${rows.length} audit rows not written: ${error.message}`);
        }),
    );
    const batch: Batch = { rows, written, write, timer: setTimeout(() => this.writeBatch(), BATCH_DELAY_MS) };
    this.pending.add(written);
    void written.finally(() => this.pending.delete(written));
    return batch;
  }

  private writeBatch(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = null;
    clearTimeout(batch.timer);
    batch.write();
  }

  /** Deletes rows older than `cutoff`; returns how many went. */
  async pruneBefore(cutoff: Date): Promise<number> {
    await this.flush();
    const result = await this.events.createQueryBuilder().delete().where('at < :cutoff', { cutoff: cutoff.toISOString() }).execute();
    return result.affected ?? 0;
  }

  /**
   * Newest first; fetches `limit + 1` rows so the caller can tell whether more exist. The rows still
   * waiting in a batch are written first, so a read sees every request answered before it.
   */
  async list(filter: AuditFilter): Promise<AuditEvent[]> {
    await this.flush();
    const query = this.events.createQueryBuilder('e').orderBy('e.id', 'DESC').take(filter.limit + 1);
    const before = decodeCursor(filter.cursor);
    if (before !== undefined) query.andWhere('e.id < :before', { before });
    if (filter.token !== undefined) query.andWhere('e.token_name = :token', { token: filter.token });
    if (filter.route !== undefined) query.andWhere('e.route = :route', { route: filter.route });
    if (filter.since !== undefined) query.andWhere('e.at >= :since', { since: filter.since.toISOString() });
    return query.getMany();
  }

  /** Oldest first, the rows after `afterId` (for following the log as it grows), at most `limit`; written batches first, as `list`. */
  async listAfter(filter: Pick<AuditFilter, 'token' | 'route'>, afterId: number, limit: number): Promise<AuditEvent[]> {
    await this.flush();
    const query = this.events.createQueryBuilder('e').orderBy('e.id', 'ASC').take(limit).where('e.id > :afterId', { afterId });
    if (filter.token !== undefined) query.andWhere('e.token_name = :token', { token: filter.token });
    if (filter.route !== undefined) query.andWhere('e.route = :route', { route: filter.route });
    return query.getMany();
  }
}
