import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestContext } from '../http/request-context';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The request's id: the client's `X-Request-Id` when it is short and plain, else a new UUID.
 * Idempotent, so the logger and the audit trail agree whichever runs first.
 */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const context = requestContext(req);
  if (context.requestId !== null) return context.requestId;
  const header = req.headers['x-request-id'];
  const id = typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
  context.requestId = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}
