import * as path from 'node:path';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, QueryFailedError, Repository } from 'typeorm';
import { AppConfig, ChangeMarker, MarkedCache } from '@clawdforge/core';
import { AppToken } from './app-token.entity';

/** Enough for every app a gateway serves. */
const MAX_CACHED_TOKENS = 10_000;

/** The changes an admin may make to a live token. */
export type TokenChanges = Partial<Pick<AppToken, 'ipCidrs' | 'models' | 'maxConcurrentRuns' | 'runsPerMinute' | 'budgetUsdDay' | 'budgetUsdMonth'>>;

/**
 * The `app_tokens` table, and nothing else: every read and write of tokens goes through here. Live
 * tokens are kept by hash, so authenticating a request needs no database read; only with SQLite,
 * whose writers (the server, the admin CLI) all share the marker file's directory. On PostgreSQL
 * other instances change tokens too and nothing would tell this one: every lookup reads the table.
 */
@Injectable()
export class TokenRepository implements OnModuleDestroy {
  private readonly marker: ChangeMarker | null;
  private readonly cache: MarkedCache<AppToken> | null;

  constructor(
    @InjectRepository(AppToken) private readonly rows: Repository<AppToken>,
    config: AppConfig,
  ) {
    this.marker = config.database.url === null ? new ChangeMarker(path.join(path.dirname(config.database.path), '.tokens-changed')) : null;
    this.cache = this.marker && new MarkedCache<AppToken>(this.marker, MAX_CACHED_TOKENS);
  }

  onModuleDestroy(): void {
    this.marker?.close();
  }

  liveExists(name: string): Promise<boolean> {
    return this.rows.exists({ where: { name, revokedAt: IsNull() } });
  }

  /** Saves a new token; false when a live token of its name got there first (the partial unique index decides). */
  async insert(fields: Omit<AppToken, 'id'>): Promise<AppToken | null> {
    const token = this.rows.create(fields);
    try {
      await this.rows.insert(token);
    } catch (error) {
      if (error instanceof QueryFailedError && /unique/i.test(error.message)) return null;
      throw error;
    }
    this.cache?.changed();
    return token;
  }

  /** Live and revoked tokens, oldest first, `limit` of them after the id `after`. */
  page(limit: number, after?: number): Promise<AppToken[]> {
    const query = this.rows.createQueryBuilder('t').orderBy('t.id', 'ASC').take(limit);
    if (after !== undefined) query.where('t.id > :after', { after });
    return query.getMany();
  }

  async idsByName(name: string): Promise<number[]> {
    const rows = await this.rows.find({ select: { id: true }, where: { name } });
    return rows.map((row) => row.id);
  }

  async namesById(): Promise<Map<number, string>> {
    const rows = await this.rows.find({ select: { id: true, name: true } });
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** The live token of that name, else its most recently revoked one. */
  latestNamed(name: string): Promise<AppToken | null> {
    return this.rows.findOne({ where: { name }, order: { revokedAt: { direction: 'DESC', nulls: 'FIRST' }, id: 'DESC' } });
  }

  liveNamed(name: string): Promise<AppToken | null> {
    return this.rows.findOne({ where: { name, revokedAt: IsNull() } });
  }

  async update(id: number, changes: TokenChanges): Promise<void> {
    await this.rows.update({ id }, changes);
    this.cache?.changed();
  }

  async revokeNamed(name: string, at: Date): Promise<void> {
    await this.rows.update({ name, revokedAt: IsNull() }, { revokedAt: at });
    this.cache?.changed();
  }

  /** The live token with this hash, or null; from the cache while no token has changed, and then at once rather than as a promise. */
  liveByHash(hash: string): AppToken | null | Promise<AppToken | null> {
    const load = () => this.rows.findOne({ where: { tokenHash: hash, revokedAt: IsNull() } });
    return this.cache ? this.cache.lookup(hash, load) : load();
  }

  /** last_used_at only: not a change that empties the cache. */
  async markUsed(id: number, at: Date): Promise<void> {
    await this.rows.update({ id }, { lastUsedAt: at });
  }
}
