import type { UsageRecord } from '../usage-record.entity';
import type { UsageRepository, UsageTotals } from '../usage.repository';

type Row = Omit<UsageRecord, 'id'>;

/**
 * The usage ledger's reads that rules depend on, over rows kept in memory: what budgets read (the
 * spend since a time, the costliest run or turn) and what settling writes. State, not scripted
 * answers, because the rules are about what accumulates: a settled run is what the next hold sees.
 * The SQL of each read is UsageRepository's own medium spec's business.
 */
export class InMemoryUsageLedger implements Pick<UsageRepository, 'record' | 'spentSince' | 'costliestSince' | 'totals'> {
  readonly rows: Row[] = [];

  async record(record: Row): Promise<void> {
    this.rows.push({ ...record });
  }

  /** A row as settling writes one, for spend that happened before the spec began. */
  spent(tokenName: string, costUsd: number, at: Date): this {
    this.rows.push({ at, tokenId: 0, tokenName, kind: 'run', model: 'sonnet', outcome: 'ok', inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd });
    return this;
  }

  async spentSince(tokenName: string, since: Date): Promise<number> {
    return this.of(tokenName, since).reduce((sum, row) => sum + row.costUsd, 0);
  }

  async costliestSince(tokenName: string, since: Date): Promise<number | null> {
    const costliest = Math.max(0, ...this.of(tokenName, since).map((row) => row.costUsd));
    return costliest > 0 ? costliest : null;
  }

  async totals(tokenName: string, since: Date, until: Date): Promise<UsageTotals> {
    const rows = this.of(tokenName, since).filter((row) => row.at < until);
    const sum = (pick: (row: Row) => number) => rows.reduce((total, row) => total + pick(row), 0);
    return {
      runs: rows.filter((row) => row.kind === 'run').length,
      turns: rows.filter((row) => row.kind === 'turn').length,
      input_tokens: sum((row) => row.inputTokens),
      output_tokens: sum((row) => row.outputTokens),
      cache_read_tokens: sum((row) => row.cacheReadTokens),
      cost_usd: sum((row) => row.costUsd),
    };
  }

  private of(tokenName: string, since: Date): Row[] {
    return this.rows.filter((row) => row.tokenName === tokenName && row.at >= since);
  }
}
