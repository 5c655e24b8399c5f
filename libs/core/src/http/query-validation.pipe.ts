import { ArgumentMetadata, Injectable, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { BoundedMap } from '../cache/bounded-map';

/** Query strings longer than this (as JSON) are validated every time and not remembered. */
const MAX_REMEMBERED_QUERY_CHARS = 512;
/** Distinct valid query strings remembered per DTO class. */
const MAX_REMEMBERED_QUERIES = 256;

type Values = Record<string, unknown>;

/**
 * The global ValidationPipe, remembering which query strings passed. A query is a handful of
 * strings and a DTO's rules are pure functions of them, so the same query validates to the same
 * values every time; cheap GETs (a list, a page) send the same few queries over and over, and
 * class-transformer plus class-validator cost more than the rest of such a request's handling.
 * A remembered query yields a fresh instance of the DTO with the values validation produced. Bodies,
 * path parameters and refused queries always take the full path.
 */
@Injectable()
export class QueryValidationPipe extends ValidationPipe {
  private readonly passed = new Map<NonNullable<ArgumentMetadata['metatype']>, BoundedMap<string, Values>>();

  constructor(options: ValidationPipeOptions) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype;
    const key = metadata.type === 'query' && metatype && isQueryStrings(value) ? JSON.stringify(value) : undefined;
    if (key === undefined || key.length > MAX_REMEMBERED_QUERY_CHARS) return super.transform(value, metadata);
    const remembered = this.passed.get(metatype!)?.get(key);
    if (remembered) return Object.assign(Object.create((metatype as { prototype: object }).prototype) as object, remembered);
    const result: unknown = await super.transform(value, metadata);
    if (result instanceof metatype! && hasPlainValues(result)) {
      let known = this.passed.get(metatype!);
      if (!known) this.passed.set(metatype!, (known = new BoundedMap(MAX_REMEMBERED_QUERIES)));
      known.set(key, { ...result });
    }
    return result;
  }
}

/** What Express's query parser gives: strings, or arrays of them for a repeated key. */
function isQueryStrings(value: unknown): value is Values {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((item) => typeof item === 'string')));
}

/** Only values a copy cannot share with another request: no objects, no arrays. */
function hasPlainValues(result: object): boolean {
  return Object.values(result).every((v) => v === null || typeof v !== 'object');
}
