import { Injectable } from '@nestjs/common';
import { canonicalCidr, decodeCursor } from '@clawdforge/core';
import { NO_POLICY, TokenPolicy } from './token-policy';
import { AppToken } from './app-token.entity';
import { TokenNameTakenError, TokenNotFoundError } from './token-errors';
import { generateAppToken, hashToken } from './token-secret';
import { TokenChanges, TokenRepository } from './token.repository';

/** last_used_at is advisory: written at most this often per token to keep requests read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** What an app token's name may be; a name outside it was never minted. */
export const TOKEN_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface MintedToken {
  token: AppToken;
  plaintext: string;
}

/** App tokens' rules: one live token per name, its plaintext shown once, limits changed or lifted, revocation at once. */
@Injectable()
export class TokensService {
  constructor(private readonly tokens: TokenRepository) {}

  async mint(name: string, ipCidrs?: string[] | null, policy: Partial<TokenPolicy> = {}): Promise<MintedToken> {
    if (await this.tokens.liveExists(name)) throw new TokenNameTakenError(name);
    const plaintext = generateAppToken();
    const token = await this.tokens.insert({
      name,
      tokenHash: hashToken(plaintext),
      ipCidrs: canonicalCidrs(ipCidrs),
      ...NO_POLICY,
      ...policy,
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    });
    // Two mints of one name racing: the other got there first.
    if (!token) throw new TokenNameTakenError(name);
    return { token, plaintext };
  }

  /** Live and revoked tokens, oldest first. Fetches `limit + 1` rows so the caller can tell if more exist. */
  list(limit: number, cursor?: string): Promise<AppToken[]> {
    return this.tokens.page(limit + 1, decodeCursor(cursor));
  }

  /** Every token id that has carried this name (live and revoked), for admin views across rotations. */
  idsByName(name: string): Promise<number[]> {
    return this.tokens.idsByName(name);
  }

  /** Names by token id, for admin listings of what tokens own. */
  namesById(): Promise<Map<number, string>> {
    return this.tokens.namesById();
  }

  /** The live token of that name, else its most recently revoked one. */
  async get(name: string): Promise<AppToken> {
    if (!TOKEN_NAME_PATTERN.test(name)) throw new TokenNotFoundError(name);
    const token = await this.tokens.latestNamed(name);
    if (!token) throw new TokenNotFoundError(name);
    return token;
  }

  /** Changes the live token of that name; a field given as null lifts its limit, one left out stays. */
  async update(name: string, patch: Partial<TokenPolicy> & { ipCidrs?: string[] | null }): Promise<AppToken> {
    if (!TOKEN_NAME_PATTERN.test(name)) throw new TokenNotFoundError(name);
    const token = await this.tokens.liveNamed(name);
    if (!token) throw new TokenNotFoundError(name);
    const changes: TokenChanges = { ...patch };
    if ('ipCidrs' in patch) changes.ipCidrs = canonicalCidrs(patch.ipCidrs);
    if (Object.keys(changes).length > 0) await this.tokens.update(token.id, changes);
    return this.get(name);
  }

  /** Idempotent: revoking an already revoked name answers with that token as it is. */
  async revoke(name: string): Promise<AppToken> {
    if (!TOKEN_NAME_PATTERN.test(name)) throw new TokenNotFoundError(name);
    await this.tokens.revokeNamed(name, new Date());
    return this.get(name);
  }

  /**
   * The live token with this plaintext, or null; at once rather than as a promise while no token
   * has changed (TokenRepository). Does not mark it used: see markUsed.
   */
  authenticate(plaintext: string): AppToken | null | Promise<AppToken | null> {
    return this.tokens.liveByHash(hashToken(plaintext));
  }

  /**
   * Records a use, once the request has passed every check (a refused request is not a use).
   * Written at most once a minute per token; in between there is nothing to wait for, and no promise.
   */
  markUsed(token: AppToken): Promise<void> | undefined {
    const now = Date.now();
    if (token.lastUsedAt && now - token.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return undefined;
    const at = new Date(now);
    return this.tokens.markUsed(token.id, at).then(() => {
      token.lastUsedAt = at;
    });
  }
}

function canonicalCidrs(cidrs: string[] | null | undefined): string[] | null {
  return cidrs && cidrs.length > 0 ? cidrs.map((cidr) => canonicalCidr(cidr) ?? cidr) : null;
}
