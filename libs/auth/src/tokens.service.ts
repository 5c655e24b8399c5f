import * as path from 'node:path';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, QueryFailedError, Repository } from 'typeorm';
import { AppConfig, canonicalCidr, ChangeMarker, decodeCursor, MarkedCache, NO_POLICY, TokenPolicy } from '@clawdforge/core';
import { AppToken } from './app-token.entity';
import { TokenNameTakenError, TokenNotFoundError } from './token-errors';
import { generateAppToken, hashToken } from './token-secret';

/** last_used_at is advisory: written at most this often per token to keep requests read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Enough for every app a gateway serves. */
const MAX_CACHED_TOKENS = 10_000;

/** What an app token's name may be; a name outside it was never minted. */
export const TOKEN_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface MintedToken {
  token: AppToken;
  plaintext: string;
}

@Injectable()
export class TokensService implements OnModuleDestroy {
  /**
   * Only with SQLite, whose writers all share the marker file's directory. On PostgreSQL other
   * instances change tokens too, and nothing would tell this one: every lookup reads the database.
   */
  private readonly marker: ChangeMarker | null;
  /** Live tokens by hash, so authenticating a request needs no database read. */
  private readonly cache: MarkedCache<AppToken> | null;

  constructor(
    @InjectRepository(AppToken) private readonly tokens: Repository<AppToken>,
    config: AppConfig,
  ) {
    this.marker = config.databaseUrl === null ? new ChangeMarker(path.join(path.dirname(config.databasePath), '.tokens-changed')) : null;
    this.cache = this.marker && new MarkedCache<AppToken>(this.marker, MAX_CACHED_TOKENS);
  }

  onModuleDestroy(): void {
    this.marker?.close();
  }

  async mint(name: string, ipCidrs?: string[] | null, policy: Partial<TokenPolicy> = {}): Promise<MintedToken> {
    if (await this.tokens.exists({ where: { name, revokedAt: IsNull() } })) throw new TokenNameTakenError(name);
    const plaintext = generateAppToken();
    const token = this.tokens.create({
      name,
      tokenHash: hashToken(plaintext),
      ipCidrs: canonicalCidrs(ipCidrs),
      ...NO_POLICY,
      ...policy,
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    });
    try {
      await this.tokens.insert(token);
    } catch (error) {
      // Two mints of one name racing: the partial unique index decides.
      if (error instanceof QueryFailedError && /unique/i.test(error.message)) throw new TokenNameTakenError(name);
      throw error;
    }
    this.cache?.changed();
    return { token, plaintext };
  }

  /** Live and revoked tokens, oldest first. Fetches `limit + 1` rows so the caller can tell if more exist. */
  list(limit: number, cursor?: string): Promise<AppToken[]> {
    const after = decodeCursor(cursor);
    const query = this.tokens.createQueryBuilder('t').orderBy('t.id', 'ASC').take(limit + 1);
    if (after !== undefined) query.where('t.id > :after', { after });
    return query.getMany();
  }

  /** Every token id that has carried this name (live and revoked), for admin views across rotations. */
  async idsByName(name: string): Promise<number[]> {
    const rows = await this.tokens.find({ select: { id: true }, where: { name } });
    return rows.map((row) => row.id);
  }

  /** Names by token id, for admin listings of what tokens own. */
  async namesById(): Promise<Map<number, string>> {
    const rows = await this.tokens.find({ select: { id: true, name: true } });
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** The live token of that name, else its most recently revoked one. */
  async get(name: string): Promise<AppToken> {
    if (!TOKEN_NAME_PATTERN.test(name)) throw new TokenNotFoundError(name);
    const token = await this.tokens.findOne({ where: { name }, order: { revokedAt: { direction: 'DESC', nulls: 'FIRST' }, id: 'DESC' } });
    if (!token) throw new TokenNotFoundError(name);
    return token;
  }

  /** Changes the live token of that name; a field given as null lifts its limit, one left out stays. */
  async update(name: string, patch: Partial<TokenPolicy> & { ipCidrs?: string[] | null }): Promise<AppToken> {
    if (!TOKEN_NAME_PATTERN.test(name)) throw new TokenNotFoundError(name);
    const token = await this.tokens.findOne({ where: { name, revokedAt: IsNull() } });
    if (!token) throw new TokenNotFoundError(name);
    const changes: Partial<AppToken> = { ...patch };
    if ('ipCidrs' in patch) changes.ipCidrs = canonicalCidrs(patch.ipCidrs);
    if (Object.keys(changes).length > 0) {
      await this.tokens.update({ id: token.id }, changes);
      this.cache?.changed();
    }
    return this.get(name);
  }

  /** Idempotent: revoking an already revoked name answers with that token as it is. */
  async revoke(name: string): Promise<AppToken> {
    if (!TOKEN_NAME_PATTERN.test(name)) throw new TokenNotFoundError(name);
    await this.tokens.update({ name, revokedAt: IsNull() }, { revokedAt: new Date() });
    this.cache?.changed();
    return this.get(name);
  }

  /**
   * The live token with this plaintext, or null; from the cache while no token has changed, and
   * then at once rather than as a promise. Does not mark it used: see markUsed.
   */
  authenticate(plaintext: string): AppToken | null | Promise<AppToken | null> {
    const hash = hashToken(plaintext);
    const load = () => this.tokens.findOne({ where: { tokenHash: hash, revokedAt: IsNull() } });
    return this.cache ? this.cache.lookup(hash, load) : load();
  }

  /**
   * Records a use, once the request has passed every check (a refused request is not a use).
   * Written at most once a minute per token; in between there is nothing to wait for, and no promise.
   */
  markUsed(token: AppToken): Promise<void> | undefined {
    const now = Date.now();
    if (token.lastUsedAt && now - token.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return undefined;
    const at = new Date(now);
    return this.tokens.update({ id: token.id }, { lastUsedAt: at }).then(() => {
      token.lastUsedAt = at;
    });
  }
}

function canonicalCidrs(cidrs: string[] | null | undefined): string[] | null {
  return cidrs && cidrs.length > 0 ? cidrs.map((cidr) => canonicalCidr(cidr) ?? cidr) : null;
}
