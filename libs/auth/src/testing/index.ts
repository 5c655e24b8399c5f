// What specs of token rules, and of the work tokens are allowed, build them with:
// `@clawdforge/auth/testing`. Never imported by the server or the CLI.
import type { TokenPrincipal } from '../decorators/current-token.decorator';
import { NO_POLICY, TokenPolicy } from '../token-policy';
import type { TokenRepository } from '../token.repository';
import { TokensService } from '../tokens.service';
import { InMemoryTokenRepository } from './in-memory-token-repository';

export * from './in-memory-token-repository';

/** A token as a request carries it, with `policy` over no limits. */
export function tokenWith(policy: Partial<TokenPolicy> = {}, who: { id?: number; name?: string } = {}): TokenPrincipal {
  return { id: who.id ?? 1, name: who.name ?? 'app', policy: { ...NO_POLICY, ...policy } };
}

/** The real TokensService on tokens kept in memory. */
export function newTokensService(rows = new InMemoryTokenRepository()): { service: TokensService; rows: InMemoryTokenRepository } {
  return { service: new TokensService(rows as unknown as TokenRepository), rows };
}
