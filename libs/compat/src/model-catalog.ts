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
export function modelFor(requested: unknown, config: Pick<AppConfig, 'modelAliases'>): string {
  if (typeof requested !== 'string' || requested === '') throw invalidParam('model', 'must be a non-empty string');
  if (isModelName(requested)) return requested;
  const mapped = Object.hasOwn(config.modelAliases, requested) ? config.modelAliases[requested] : undefined;
  if (mapped === undefined) throw new ModelNotFoundError(requested);
  return mapped;
}

/**
 * The names this token may send: MODEL_ALLOWLIST (or the CLI's aliases when it is empty), narrowed
 * by the token's own `models` (which may add full ids the allowlist permits), then every
 * MODEL_ALIASES name whose model is among them.
 */
export function modelsFor(token: TokenPrincipal, config: Pick<AppConfig, 'modelAliases' | 'modelAllowlist'>): string[] {
  const allowed = (model: string) =>
    (config.modelAllowlist.length === 0 || config.modelAllowlist.includes(model)) && (token.policy.models === null || token.policy.models.includes(model));
  const base = token.policy.models ?? (config.modelAllowlist.length > 0 ? config.modelAllowlist : LISTED_ALIASES);
  const own = [...new Set(base)].filter(allowed);
  const foreign = Object.entries(config.modelAliases)
    .filter(([, to]) => allowed(to))
    .map(([from]) => from);
  return [...own, ...foreign];
}
