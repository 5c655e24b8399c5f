import { Injectable, NestMiddleware } from '@nestjs/common';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors/api-error';
import { InvalidRequestError } from '../errors/http-errors';

export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;
/** Deeper nesting than any schema needs; JSON.parse and validation recurse, and 50 000 levels overflow the stack. */
export const JSON_MAX_DEPTH = 64;

interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * JSON bodies up to 1 MiB. Runs as Nest middleware (after the request log and the audit hook)
 * rather than Nest's built-in parser, so a malformed or oversized body is answered, logged and
 * audited like any other error, with a fixed message that never echoes the body back.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse = jsonBodyParser(JSON_BODY_LIMIT_BYTES);

  use(req: Request, res: Response, next: NextFunction): void {
    // Most requests (every GET) have no body at all: nothing for the parser to look at.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return next();
    this.parse(req, res, next);
  }
}

/**
 * JSON bodies up to `limitBytes` with the same refusals, failing with an ApiError. Installed ahead
 * of JsonBodyMiddleware on a route that needs another limit; the general parser then finds the body read.
 */
export function jsonBodyParser(limitBytes: number): (req: Request, res: Response, next: NextFunction) => void {
  const parse = json({ limit: limitBytes, verify: refuseUnlessPlainUtf8Json });
  return (req, res, next) => parse(req, res, (err?: BodyParserError) => next(err ? toApiError(err, limitBytes) : undefined));
}

function toApiError(err: BodyParserError, limitBytes: number): ApiError {
  switch (err.type) {
    case 'entity.parse.failed':
      return new InvalidRequestError('request body is not valid JSON', 'body', 'invalid_json');
    case TOO_DEEP:
      return new InvalidRequestError(`request body nests deeper than ${JSON_MAX_DEPTH} levels`, 'body', 'invalid_json');
    case DUPLICATE_KEY:
      return new InvalidRequestError('request body has a key twice in one object', 'body', 'invalid_json');
    case RESERVED_KEY:
      return new InvalidRequestError('request body uses __proto__, constructor or prototype as a key', 'body', 'invalid_json');
    case 'entity.too.large':
      return new ApiError('payload_too_large', `request body exceeds ${limitBytes === JSON_BODY_LIMIT_BYTES ? '1 MiB' : `${limitBytes} bytes`}`);
    case 'charset.unsupported':
      return new ApiError('unsupported_media_type', 'a JSON body must be UTF-8 (RFC 8259): send charset=utf-8 or no charset');
    case 'encoding.unsupported':
      return new ApiError('unsupported_media_type', 'request body encoding is not supported');
    default:
      return new InvalidRequestError('request body could not be read', 'body');
  }
}

const TOO_DEEP = 'entity.too.deep';
const DUPLICATE_KEY = 'entity.duplicate.key';
const RESERVED_KEY = 'entity.reserved.key';
/** Keys that reach an object's prototype machinery when copied around: never a field of ours. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function refusal(type: string, status = 400): Error {
  return Object.assign(new Error(type), { type, status });
}

/**
 * Runs on every body the JSON parser takes, before JSON.parse. JSON is UTF-8 (RFC 8259 §8.1), and
 * the checks below read the raw bytes as UTF-8: a body in another charset (UTF-16, UTF-32, which
 * the parser would otherwise decode) would slip past them, so it is refused with 415.
 */
function refuseUnlessPlainUtf8Json(_req: unknown, _res: unknown, buffer: Buffer, encoding: string | null): void {
  if (encoding !== 'utf-8') throw refusal('charset.unsupported', 415);
  refuseAmbiguousJson(buffer);
}

/**
 * In one pass over the raw bytes without recursion: refuses nesting past JSON_MAX_DEPTH, a key
 * twice in one object (parsers disagree on which one wins, a classic way to slip a value past a
 * check), and prototype keys.
 */
function refuseAmbiguousJson(buffer: Buffer): void {
  const objects: (Set<string> | null)[] = [];
  let expectKey = false;
  let inString = false;
  let escaped = false;
  let keyStart = -1;
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === 0x5c) escaped = true;
      else if (byte === 0x22) {
        inString = false;
        if (keyStart >= 0) {
          const keys = objects[objects.length - 1]!;
          const key = parsedKey(buffer.subarray(keyStart, i + 1));
          // A key that is no JSON string makes the body invalid JSON: refused here, so no part of a
          // body is ever left unchecked for depth.
          if (key === null) throw refusal('entity.parse.failed');
          if (keys.has(key)) throw refusal(DUPLICATE_KEY);
          if (RESERVED_KEYS.has(key)) throw refusal(RESERVED_KEY);
          keys.add(key);
          keyStart = -1;
        }
      }
      continue;
    }
    if (byte === 0x22) {
      inString = true;
      if (expectKey) keyStart = i;
      expectKey = false;
    } else if (byte === 0x7b || byte === 0x5b) {
      objects.push(byte === 0x7b ? new Set() : null);
      if (objects.length > JSON_MAX_DEPTH) throw refusal(TOO_DEEP);
      expectKey = byte === 0x7b;
    } else if (byte === 0x7d || byte === 0x5d) {
      objects.pop();
      expectKey = false;
    } else if (byte === 0x2c) {
      expectKey = objects[objects.length - 1] instanceof Set;
    }
  }
}

function parsedKey(raw: Buffer): string | null {
  try {
    return JSON.parse(raw.toString('utf8')) as string;
  } catch {
    return null;
  }
}
