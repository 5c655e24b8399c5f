import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { decodeCursor } from '@clawdforge/core';
import { AuditEvent } from './audit-event.entity';

export type AuditRecord = Omit<AuditEvent, 'id'>;

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

  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  /**
   * Writes one row without holding up the response. A failed write is logged, never thrown:
   * the request it describes has already been answered.
   */
  record(record: AuditRecord): Promise<void> {
    const write = this.events
      .insert(record)
      .then(() => undefined)
      .catch((error: Error) => this.logger.error(`audit row not written: ${error.message}`))
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
    return write;
  }

  /** Resolves when every row recorded so far is in the database. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Deletes rows older than `cutoff`; returns how many went. */
  async pruneBefore(cutoff: Date): Promise<number> {
    await this.flush();
    const result = await this.events.createQueryBuilder().delete().where('at < :cutoff', { cutoff: cutoff.toISOString() }).execute();
    return result.affected ?? 0;
  }

  /** Newest first; fetches `limit + 1` rows so the caller can tell whether more exist. */
  list(filter: AuditFilter): Promise<AuditEvent[]> {
    const query = this.events.createQueryBuilder('e').orderBy('e.id', 'DESC').take(filter.limit + 1);
    const before = decodeCursor(filter.cursor);
    if (before !== undefined) query.andWhere('e.id < :before', { before });
    if (filter.token !== undefined) query.andWhere('e.token_name = :token', { token: filter.token });
    if (filter.route !== undefined) query.andWhere('e.route = :route', { route: filter.route });
    if (filter.since !== undefined) query.andWhere('e.at >= :since', { since: filter.since.toISOString() });
    return query.getMany();
  }
}
