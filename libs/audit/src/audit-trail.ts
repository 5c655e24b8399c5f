import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ERROR_CODES, requestContext, requestIdFor } from '@clawdforge/core';
import { AuditService } from './audit.service';
import type { AuditRecord } from './audit.repository';

const UNMATCHED_PATH_MAX = 200;
/** How long a request's row waits for its work to settle once its client has gone: a stopped run takes at most its interrupt and kill graces (3.5 s). */
const STOPPING_WORK_WAIT_MS = 5000;

/**
 * Watches every request from the start (configureApp), ahead of the IP check, body parsing and the
 * guards, so a request refused anywhere (bad IP, bad token, bad JSON, unknown route) still leaves
 * its row.
 * Public routes and the Swagger pages opt out through the request context.
 */
@Injectable()
export class AuditTrail {
  constructor(private readonly audit: AuditService) {}

  /** Writes the request's row when its response ends or its client goes away; returns at once. */
  watch(req: Request, res: Response): void {
    const context = requestContext(req);
    const requestId = requestIdFor(req, res);
    const row = (): AuditRecord => {
      const fields = context.audit;
      const clientGone = !res.writableFinished;
      return {
        at: new Date(),
        requestId,
        tokenName: context.tokenName,
        clientIp: context.clientIp,
        method: req.method,
        route: context.route ?? unmatchedPath(req),
        status: clientGone && !res.headersSent ? ERROR_CODES.cancelled : res.statusCode,
        durationMs: Math.round(performance.now() - context.startedAt),
        errorCode: fields.errorCode ?? (res.locals.errorCode as string | undefined) ?? (clientGone ? 'client_closed' : null),
        model: fields.model ?? null,
        promptChars: fields.promptChars ?? null,
        responseChars: fields.responseChars ?? null,
        inputTokens: fields.inputTokens ?? null,
        outputTokens: fields.outputTokens ?? null,
        costUsd: fields.costUsd ?? null,
        toolsRefused: fields.toolsRefused ?? null,
        sessionId: fields.sessionId ?? null,
        turnIndex: fields.turnIndex ?? null,
        queueMs: fields.queueMs ?? null,
        endUser: fields.endUser ?? null,
        replayed: fields.replayed ? true : null,
      };
    };
    const finish = () => {
      // A summarised refusal is counted in its peer's summary row instead (RefusalSampler).
      if (!context.audited || context.summarised) return;
      // Its client gone, the request's work is being stopped: the row waits (briefly) for what it spent.
      if (!res.writableFinished) this.audit.recordWhen(context.settled(STOPPING_WORK_WAIT_MS), row);
      else void this.audit.record(row());
    };
    // A response emits 'close' when it is done, finished or not; a client that goes away closes it
    // without finishing it, and handlers listening for that (to cancel their work) run in the same
    // emit and say so in the audit fields first, hence the row a tick later.
    res.once('close', () => process.nextTick(finish));
  }
}

/** Rejected before routing (bad JSON, unknown path): the path as sent, without its query. */
function unmatchedPath(req: Request): string {
  return req.originalUrl.split('?')[0].slice(0, UNMATCHED_PATH_MAX);
}

/** For paths served outside Nest's router that need no audit row (the Swagger UI and documents). */
export function skipAudit(req: Request, _res: Response, next: NextFunction): void {
  requestContext(req).audited = false;
  next();
}
