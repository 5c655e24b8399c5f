import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { TokenPolicy } from '../token-policy';

/** What a request contributes to its audit row beyond method, route, status and timing. */
export interface AuditFields {
  model?: string | null;
  promptChars?: number | null;
  responseChars?: number | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  costUsd?: number | null;
  /** Tool calls the agent was refused during a run or turn. */
  toolsRefused?: number | null;
  sessionId?: string | null;
  turnIndex?: number | null;
  queueMs?: number | null;
  /** The end user the app named (OpenAI's `user`, Anthropic's `metadata.user_id`); audited only. */
  endUser?: string | null;
  /** Overrides the error code the response carried (e.g. `cancelled` when the client went away). */
  errorCode?: string | null;
}

/** Per-request state shared by the guards, the handlers and the audit trail. */
export class RequestContext {
  readonly startedAt = performance.now();
  /** Wall-clock start, for records that outlive the process (an interrupted run's audit row). */
  readonly startedAtDate = new Date();
  /** The X-Request-Id, set by the audit trail. */
  requestId: string | null = null;
  method: string | null = null;
  /** Set by the IP guard; null until then or when the address cannot be read. */
  clientIp: string | null = null;
  /** The authenticated app token's name, `admin` for the admin token, null when unknown. */
  tokenName: string | null = null;
  /** The app token's row id, when an app token authenticated the request. */
  tokenId: number | null = null;
  /** The app token's policy, read with the token. */
  tokenPolicy: TokenPolicy | null = null;
  /** The matched route pattern (`/admin/tokens/:name`); null when the request never reached a route. */
  route: string | null = null;
  /** Public routes (health, docs) are not audited. */
  audited = true;
  readonly audit: AuditFields = {};
}

const KEY = Symbol('clawdforge.requestContext');

export function requestContext(req: Request): RequestContext {
  const holder = req as Request & { [KEY]?: RequestContext };
  return (holder[KEY] ??= new RequestContext());
}

const scope = new AsyncLocalStorage<RequestContext>();

/**
 * Makes the request's context the current one for everything the handler does, so the one place
 * that spawns processes can record which request a child serves without every layer passing it on.
 * Installed after body parsing: a body parser's callbacks run in the socket's context, not ours.
 */
export function requestScopeMiddleware(req: Request, _res: Response, next: NextFunction): void {
  const context = requestContext(req);
  context.method = req.method;
  scope.run(context, next);
}

/** The context of the request whose handler is running now, if any. */
export function currentRequestContext(): RequestContext | undefined {
  return scope.getStore();
}

/** Runs `work` outside any request, for what the server does on its own account (a warm spare, say). */
export function outsideRequest<T>(work: () => T): T {
  return scope.exit(work);
}
