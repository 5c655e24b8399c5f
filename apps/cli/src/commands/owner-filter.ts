import type { TokensService } from '@clawdforge/auth';
import { TokenNotFoundError } from '@clawdforge/auth';

/** The token ids behind `--token NAME` (every rotation of it), or undefined for all owners. */
export async function ownersNamed(tokens: TokensService, name: string | undefined): Promise<number[] | undefined> {
  if (name === undefined) return undefined;
  const ids = await tokens.idsByName(name);
  if (ids.length === 0) throw new TokenNotFoundError(name);
  return ids;
}
