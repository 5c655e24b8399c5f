import { invalidParam, UnsupportedParameterError } from './compat-errors';

export type Body = Record<string, unknown>;

export function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses any field the route does not know: a new field may change the answer's contract, so it is never dropped unread. */
export function refuseUnknownFields(body: Body, known: ReadonlySet<string>, prefix = ''): void {
  for (const key of Object.keys(body)) {
    if (!known.has(key)) throw new UnsupportedParameterError(`${prefix}${key}`, 'this gateway does not know it');
  }
}

export function optionalBoolean(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParam(key, 'must be true or false');
  return value;
}

export function optionalPositiveInt(body: Body, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalidParam(key, 'must be a whole number of at least 1');
  return value;
}

const END_USER_MAX = 256;

/** An end-user id for the audit row: a string of at most 256 characters, or absent. */
export function endUserOf(value: unknown, param: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > END_USER_MAX || value.includes('\0')) throw invalidParam(param, `must be a string of at most ${END_USER_MAX} characters`);
  return value;
}

/** Sampling knobs accepted for compatibility and ignored: the CLI takes none of them. Their types are still checked. */
export function checkNumbers(body: Body, keys: readonly string[]): void {
  for (const key of keys) {
    const value = body[key];
    if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isFinite(value))) throw invalidParam(key, 'must be a number');
  }
}

/** A base64 image block from a media type and its data, refusing types and data the model cannot take. */
export function base64Data(param: string, data: unknown): string {
  if (typeof data !== 'string' || data.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) throw invalidParam(param, 'must be base64 data');
  return data;
}
