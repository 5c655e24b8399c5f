import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { decodeCursor } from '@clawdforge/core';
import { AuditEvent } from './audit-event.entity';
import { AuditRecord, AuditRepository, AuditRowFilter } from './audit.repository';

export type { AuditRecord, AuditRowFilter } from './audit.repository';

/** A batch is written this long after its first row, or sooner when it fills. */
const BATCH_DELAY_MS = 10;
const BATCH_MAX_ROWS = 200;

interface Batch {
  rows: AuditRecord[];
  written: Promise<void>;
  write: () => void;
  timer: NodeJS.Timeout;
}

export interface AuditFilter extends AuditRowFilter {
  limit: number;
  cursor?: string;
}

/** The audit log: rows queued without holding up the answers they describe, written in batches, read back whole. */
@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private readonly pending = new Set<Promise<void>>();
  private batch: Batch | null = null;
  private failed = 0;

  constructor(private readonly events: AuditRepository) {}

  /**
   * Queues one row without holding up the response; rows are written in batches, one INSERT per
   * batch, a few milliseconds apart (a single-row insert per request was most of a cheap request's
   * cost). A failed write is
   * logged, never thrown: the requests it describes were answered.
   * Resolves when the row is in the database.
   */
  record(record: AuditRecord): Promise<void> {
    const batch = (this.batch ??= this.newBatch());
    batch.rows.push(record);
    if (batch.rows.length >= BATCH_MAX_ROWS) this.writeBatch();
    return batch.written;
  }

  /** Queues the row `row()` makes once `ready` resolves; flush waits for it. */
  recordWhen(ready: Promise<void>, row: () => AuditRecord): void {
    const recorded = ready.then(() => this.record(row()));
    this.pending.add(recorded);
    void recorded.finally(() => this.pending.delete(recorded));
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
      this.events
        .insert(rows)
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
    return this.events.deleteBefore(cutoff);
  }

  /**
   * Newest first; fetches `limit + 1` rows so the caller can tell whether more exist. The rows still
   * waiting in a batch are written first, so a read sees every request answered before it.
   */
  async list(filter: AuditFilter): Promise<AuditEvent[]> {
    await this.flush();
    return this.events.newest(filter, filter.limit + 1, decodeCursor(filter.cursor));
  }

  /** Oldest first, the rows after `afterId` (for following the log as it grows), at most `limit`; written batches first, as `list`. */
  async listAfter(filter: AuditRowFilter, afterId: number, limit: number): Promise<AuditEvent[]> {
    await this.flush();
    return this.events.after(filter, afterId, limit);
  }
}
