import { Injectable, NestMiddleware } from '@nestjs/common';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors/api-error';
import { InvalidRequestError } from '../errors/http-errors';

export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * JSON bodies up to 1 MiB. Runs as Nest middleware (after request ids and the audit hook)
 * rather than Nest's built-in parser, so a malformed or oversized body is answered, logged and
 * audited like any other error, with a fixed message that never echoes the body back.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse = json({ limit: JSON_BODY_LIMIT_BYTES });

  use(req: Request, res: Response, next: NextFunction): void {
    this.parse(req, res, (err?: BodyParserError) => next(err ? toApiError(err) : undefined));
  }
}

function toApiError(err: BodyParserError): ApiError {
  switch (err.type) {
    case 'entity.parse.failed':
      return new InvalidRequestError('request body is not valid JSON', 'body', 'invalid_json');
    case 'entity.too.large':
      return new ApiError('payload_too_large', 'request body exceeds 1 MiB');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('unsupported_media_type', 'request body encoding is not supported');
    default:
      return new InvalidRequestError('request body could not be read', 'body');
  }
}
