import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig, JSON_BODY_LIMIT_BYTES, jsonBodyParser } from '@clawdforge/core';
import { answerWireError } from './wire-errors';

/**
 * The bodies of POST /v1/chat/completions and /v1/messages: room for images sent inline as base64
 * (RUN_ATTACHMENTS_MAX_BYTES of them, a third more as base64, plus the 1 MiB of text the other
 * routes take), and a body that cannot be read answered in the route's own wire format.
 */
@Injectable()
export class CompatJsonBodyMiddleware implements NestMiddleware {
  private readonly parse: ReturnType<typeof jsonBodyParser>;

  constructor(config: AppConfig) {
    this.parse = jsonBodyParser(Math.ceil((config.runs.attachmentsMaxBytes * 4) / 3) + JSON_BODY_LIMIT_BYTES);
  }

  use(req: Request, res: Response, next: NextFunction): void {
    this.parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return next();
      answerWireError(error, req, res, req.originalUrl.startsWith('/v1/messages') ? 'anthropic' : 'openai');
    });
  }
}
