import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { HotStatements } from '@clawdforge/core';
import { AuditEvent } from './audit-event.entity';

export type AuditRecord = Omit<AuditEvent, 'id'>;

/**
 * What a read of the log keeps: rows of one token name, one route pattern, a status (`failed` for
 * 400 and over, a class such as `4xx`, or one status), from a time on and before another.
 */
export interface AuditRowFilter {
  token?: string;
  route?: string;
  status?: string;
  since?: Date;
  until?: Date;
}

/** The filter's conditions on a query of the table. */
function filtered(query: SelectQueryBuilder<AuditEvent>, filter: AuditRowFilter): SelectQueryBuilder<AuditEvent> {
  if (filter.token !== undefined) query.andWhere('e.token_name = :token', { token: filter.token });
  if (filter.route !== undefined) query.andWhere('e.route = :route', { route: filter.route });
  if (filter.since !== undefined) query.andWhere('e.at >= :since', { since: filter.since.toISOString() });
  if (filter.until !== undefined) query.andWhere('e.at < :until', { until: filter.until.toISOString() });
  const status = filter.status;
  if (status === 'failed') query.andWhere('e.status >= 400');
  else if (status !== undefined && status.endsWith('xx')) {
    const low = Number(status[0]) * 100;
    query.andWhere('e.status >= :low AND e.status < :high', { low, high: low + 100 });
  } else if (status !== undefined) query.andWhere('e.status = :status', { status: Number(status) });
  return query;
}

/** The `audit_events` table, and nothing else: the log's writes and reads go through here. */
@Injectable()
export class AuditRepository {
  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly hot: HotStatements,
  ) {}

  /** Many rows in one INSERT (several past the parameter limit), written as SQL rather than by the query builder. */
  insert(rows: AuditRecord[]): Promise<void> {
    return this.hot.insert(AuditEvent, rows as AuditEvent[]);
  }

  /** Newest first, `limit` rows from before the id `before`. */
  newest(filter: AuditRowFilter, limit: number, before?: number): Promise<AuditEvent[]> {
    const query = this.events.createQueryBuilder('e').orderBy('e.id', 'DESC').take(limit);
    if (before !== undefined) query.andWhere('e.id < :before', { before });
    return filtered(query, filter).getMany();
  }

  /** Oldest first, `limit` rows after the id `afterId`. */
  after(filter: AuditRowFilter, afterId: number, limit: number): Promise<AuditEvent[]> {
    return filtered(this.events.createQueryBuilder('e').orderBy('e.id', 'ASC').take(limit).where('e.id > :afterId', { afterId }), filter).getMany();
  }

  /** Deletes rows older than `cutoff`; how many went. */
  async deleteBefore(cutoff: Date): Promise<number> {
    const result = await this.events.createQueryBuilder().delete().where('at < :cutoff', { cutoff: cutoff.toISOString() }).execute();
    return result.affected ?? 0;
  }
}
