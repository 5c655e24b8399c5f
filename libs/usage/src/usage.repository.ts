import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { dialectSql } from '@clawdforge/core';
import { UsageRecord } from './usage-record.entity';

export type UsageGrouping = 'token' | 'day' | 'model';

/** Sums of usage over a set of records. */
export interface UsageTotals {
  runs: number;
  turns: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cost_usd: number;
}

export interface UsageGroup extends UsageTotals {
  token: string;
  day?: string;
  model?: string | null;
}

export interface UsageQuery {
  token?: string;
  since?: Date;
  until?: Date;
  groupBy: UsageGrouping;
  offset: number;
  limit: number;
}

const TOTALS = `
  SUM(CASE WHEN kind = 'run' THEN 1 ELSE 0 END) AS runs,
  SUM(CASE WHEN kind = 'turn' THEN 1 ELSE 0 END) AS turns,
  COALESCE(SUM(input_tokens), 0) AS input_tokens,
  COALESCE(SUM(output_tokens), 0) AS output_tokens,
  COALESCE(SUM(cache_read_tokens), 0) AS cache_read_tokens,
  COALESCE(SUM(cost_usd), 0) AS cost_usd`;

const GROUP_COLUMNS: Record<UsageGrouping, string> = {
  token: 'token_name AS token',
  day: 'token_name AS token, substr(at, 1, 10) AS day',
  model: 'token_name AS token, model',
};

/** The usage ledger (`usage_records`): what runs and turns used and cost, written before each answer, read by budgets and reports. */
@Injectable()
export class UsageRepository {
  constructor(@InjectRepository(UsageRecord) private readonly records: Repository<UsageRecord>) {}

  /** Raw SQL with `?` placeholders, on either database. */
  private query(sql: string, params: unknown[]): Promise<unknown[]> {
    return this.records.query(dialectSql(this.records.manager.connection, sql), params) as Promise<unknown[]>;
  }

  async record(record: Omit<UsageRecord, 'id'>): Promise<void> {
    await this.records.insert(record);
  }

  /** Dollars spent under this token name since `since`. */
  async spentSince(tokenName: string, since: Date): Promise<number> {
    const [row] = (await this.query(`SELECT COALESCE(SUM(cost_usd), 0) AS spent FROM usage_records WHERE token_name = ? AND at >= ?`, [
      tokenName,
      since.toISOString(),
    ])) as { spent: number | string }[];
    return Number(row.spent);
  }

  /** The most one run or turn of this token name cost since `since`; null when none cost anything. */
  async costliestSince(tokenName: string, since: Date): Promise<number | null> {
    const [row] = (await this.query(`SELECT MAX(cost_usd) AS costliest FROM usage_records WHERE token_name = ? AND at >= ?`, [tokenName, since.toISOString()])) as {
      costliest: number | string | null;
    }[];
    const costliest = row?.costliest === null || row?.costliest === undefined ? null : Number(row.costliest);
    return costliest !== null && costliest > 0 ? costliest : null;
  }

  /** Totals of one token name over [since, until). */
  async totals(tokenName: string, since: Date, until: Date): Promise<UsageTotals> {
    const [row] = (await this.query(`SELECT ${TOTALS} FROM usage_records WHERE token_name = ? AND at >= ? AND at < ?`, [
      tokenName,
      since.toISOString(),
      until.toISOString(),
    ])) as UsageTotals[];
    return numbers(row);
  }

  /** Totals grouped as asked, `limit + 1` groups from `offset` so the caller can tell whether more exist. */
  async report(query: UsageQuery): Promise<UsageGroup[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.token !== undefined) {
      where.push('token_name = ?');
      params.push(query.token);
    }
    if (query.since !== undefined) {
      where.push('at >= ?');
      params.push(query.since.toISOString());
    }
    if (query.until !== undefined) {
      where.push('at < ?');
      params.push(query.until.toISOString());
    }
    const columns = GROUP_COLUMNS[query.groupBy];
    const groupBy = columns.replace(/ AS \w+/g, '');
    const rows = (await this.query(
      `SELECT ${columns}, ${TOTALS} FROM usage_records ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       GROUP BY ${groupBy} ORDER BY ${groupBy} LIMIT ? OFFSET ?`,
      [...params, query.limit + 1, query.offset],
    )) as UsageGroup[];
    return rows.map((row) => ({ ...row, ...numbers(row) }));
  }
}

/** SQLite hands sums back as numbers, PostgreSQL as text; an empty set gives nulls, which are zeros here. */
function numbers(row: Partial<UsageTotals> | undefined): UsageTotals {
  return {
    runs: Number(row?.runs ?? 0),
    turns: Number(row?.turns ?? 0),
    input_tokens: Number(row?.input_tokens ?? 0),
    output_tokens: Number(row?.output_tokens ?? 0),
    cache_read_tokens: Number(row?.cache_read_tokens ?? 0),
    cost_usd: Number(row?.cost_usd ?? 0),
  };
}
