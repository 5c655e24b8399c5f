import type { TokenPrincipal } from '@clawdforge/auth';
import { AppConfig, isModelName } from '@clawdforge/core';
import { invalidParam, ModelNotFoundError } from './compat-errors';

/** Listed when MODEL_ALLOWLIST is empty: the aliases every claude CLI knows. */
const LISTED_ALIASES = ['sonnet', 'opus', 'haiku'];

/**
 * The model of ours a request's `model` names: a claude alias or id as it is, another name through
 * MODEL_ALIASES, anything else 404 (never silently served by some other model). Whether the token
 * may use it is the run path's question, as on /run.
 */
export function modelFor(requested: unknown, config: Pick<AppConfig, 'models'>): string {
  if (typeof requested !== 'string' || requested === '') throw invalidParam('model', 'must be a non-empty string');
  if (isModelName(requested)) return requested;
  const mapped = Object.hasOwn(config.models.aliases, requested) ? config.models.aliases[requested] : undefined;
  if (mapped === undefined) throw new ModelNotFoundError(requested);
  return mapped;
}

/**
 * The names this token may send: MODEL_ALLOWLIST (or the CLI's aliases when it is empty), narrowed
 * by the token's own `models` (which may add full ids the allowlist permits), then every
 * MODEL_ALIASES name whose model is among them.
 */
export function modelsFor(token: TokenPrincipal, config: Pick<AppConfig, 'models'>): string[] {
  const allowed = (model: string) =>
    (config.models.allowlist.length === 0 || config.models.allowlist.includes(model)) && (token.policy.models === null || token.policy.models.includes(model));
  const base = token.policy.models ?? (config.models.allowlist.length > 0 ? config.models.allowlist : LISTED_ALIASES);
  const own = [...new Set(base)].filter(allowed);
  const foreign = Object.entries(config.models.aliases)
    .filter(([, to]) => allowed(to))
    .map(([from]) => from);
  return [...own, ...foreign];
}
