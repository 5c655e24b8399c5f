import type { PublicSurface } from '@clawdforge/core/testing';
import type { AppToken } from '../app-token.entity';
import type { TokenChanges, TokenRepository } from '../token.repository';

/**
 * The `app_tokens` table's rules kept in memory: ids in order, at most one live token per name (the
 * partial unique index: a second insert answers null), revocation of the live one. Enough for the
 * rules above it; the SQL, the cache by hash and its change marker are the repository's medium spec's.
 */
export class InMemoryTokenRepository implements Omit<PublicSurface<TokenRepository>, 'onModuleDestroy'> {
  readonly rows: AppToken[] = [];
  /** Writes of last use, in order: the rule is how seldom they happen. */
  readonly usesMarked: { id: number; at: Date }[] = [];

  async liveExists(name: string): Promise<boolean> {
    return this.rows.some((row) => row.name === name && row.revokedAt === null);
  }

  async insert(fields: Omit<AppToken, 'id'>): Promise<AppToken | null> {
    if (this.rows.some((row) => row.name === fields.name && row.revokedAt === null)) return null;
    const token = Object.assign({ id: this.rows.length + 1 }, fields) as AppToken;
    this.rows.push(token);
    return { ...token };
  }

  async page(limit: number, after?: number): Promise<AppToken[]> {
    return this.rows.filter((row) => after === undefined || row.id > after).slice(0, limit).map((row) => ({ ...row }));
  }

  async idsByName(name: string): Promise<number[]> {
    return this.rows.filter((row) => row.name === name).map((row) => row.id);
  }

  async namesById(): Promise<Map<number, string>> {
    return new Map(this.rows.map((row) => [row.id, row.name]));
  }

  async latestNamed(name: string): Promise<AppToken | null> {
    const named = this.rows.filter((row) => row.name === name);
    const live = named.find((row) => row.revokedAt === null);
    const latest = live ?? named.sort((a, b) => b.revokedAt!.getTime() - a.revokedAt!.getTime() || b.id - a.id)[0];
    return latest ? { ...latest } : null;
  }

  async liveNamed(name: string): Promise<AppToken | null> {
    const live = this.rows.find((row) => row.name === name && row.revokedAt === null);
    return live ? { ...live } : null;
  }

  async update(id: number, changes: TokenChanges): Promise<void> {
    const row = this.rows.find((candidate) => candidate.id === id);
    if (row) Object.assign(row, changes);
  }

  async revokeNamed(name: string, at: Date): Promise<void> {
    for (const row of this.rows) if (row.name === name && row.revokedAt === null) row.revokedAt = at;
  }

  liveByHash(hash: string): AppToken | null {
    const live = this.rows.find((row) => row.tokenHash === hash && row.revokedAt === null);
    return live ? { ...live } : null;
  }

  async markUsed(id: number, at: Date): Promise<void> {
    this.usesMarked.push({ id, at });
    const row = this.rows.find((candidate) => candidate.id === id);
    if (row) row.lastUsedAt = at;
  }
}
