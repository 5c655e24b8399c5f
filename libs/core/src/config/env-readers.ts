import { canonicalCidr } from '../net/cidr-list';
import { ConfigError } from './config-error';
import { isModelName } from './model-names';

/** The variables a configuration is read from: the process environment, `.env` merged in. */
export type Env = Record<string, string | undefined>;

/** A variable's value, trimmed; an empty one counts as unset. */
export function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Comma-separated items, trimmed, empty ones dropped. */
export function list(env: Env, name: string): string[] {
  return (text(env, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function cidrs(env: Env, name: string): string[] {
  return list(env, name).map((item) => {
    const canonical = canonicalCidr(item);
    if (!canonical) throw new ConfigError(name, `has "${item}", which is not an IP address or CIDR range`);
    return canonical;
  });
}

export function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const value = (text(env, name) ?? fallback).toLowerCase();
  if (!(choices as readonly string[]).includes(value)) throw new ConfigError(name, `must be one of ${choices.join(', ')}`);
  return value as T;
}

export function flag(env: Env, name: string): boolean {
  const value = (text(env, name) ?? '0').toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, `must be 1 or 0, got "${value}"`);
}

export function model(env: Env, name: string, fallback: string): string {
  const value = text(env, name) ?? fallback;
  if (!isModelName(value)) throw new ConfigError(name, `"${value}" is not a model alias or claude-… model id`);
  return value;
}

/** A directory an agent's confinement names: free of what would break a permission rule or an argument line. */
export function agentPath(name: string, value: string): string {
  if (/[\n\r()]/.test(value)) throw new ConfigError(name, 'must not contain newlines or parentheses');
  return value;
}

/** An http(s) base URL: scheme, host and port, nothing more. */
export function httpUrl(env: Env, name: string): string {
  const value = text(env, name)!;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'must be an http:// URL such as http://10.0.0.5:8800');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, `must be an http:// or https:// URL, not ${url.protocol}//…`);
  if (url.pathname !== '/' || url.search !== '' || url.username !== '') throw new ConfigError(name, 'must be the base URL only: scheme, host and port');
  return url.origin;
}

/** Below this many seconds a sweeper setting is accepted with a warning: it is for watching the sweeper work. */
export const SHORT_SWEEP_SECS = 60;

/** A sweeper period or TTL: any whole number of seconds from 1 up; under a minute is noted in `short`. */
export function sweepSecs(env: Env, name: string, fallback: number, max: number, short: string[]): number {
  const value = integer(env, name, fallback, 1, max);
  if (value < SHORT_SWEEP_SECS) short.push(`${name}=${value}`);
  return value;
}
