import { InvalidRequestError } from '../errors/http-errors';
import type { AppConfig } from './app-config';

/** The claude CLI's model aliases; anything else must be a full `claude-…` model id. */
export const MODEL_ALIASES = ['sonnet', 'opus', 'haiku', 'opusplan', 'sonnet[1m]', 'opus[1m]'] as const;

const MODEL_ID = /^claude-[a-z0-9.-]{1,64}$/;

export function isModelName(value: string): boolean {
  return (MODEL_ALIASES as readonly string[]).includes(value) || MODEL_ID.test(value);
}

/**
 * The model a request runs on: DEFAULT_MODEL when it names none, else its choice if that is a
 * valid name within MODEL_ALLOWLIST. Throws a 400 naming the `model` field otherwise.
 */
export function resolveModel(requested: string | undefined, config: Pick<AppConfig, 'models'>): string {
  if (requested === undefined) return config.models.default;
  if (!isModelName(requested)) {
    throw new InvalidRequestError('model must be a claude CLI alias (sonnet, opus, haiku, …) or a claude-… model id', 'model');
  }
  if (config.models.allowlist.length > 0 && !config.models.allowlist.includes(requested)) {
    throw new InvalidRequestError(`model "${requested}" is not allowed here; allowed: ${config.models.allowlist.join(', ')}`, 'model', 'model_not_allowed');
  }
  return requested;
}
