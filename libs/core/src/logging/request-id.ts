import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

type WithId = IncomingMessage & { id?: unknown };

/**
 * The request's id: the client's `X-Request-Id` when it is short and plain, else a new UUID.
 * Idempotent, so the logger and the audit trail agree whichever runs first.
 */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const existing = (req as WithId).id;
  if (typeof existing === 'string') return existing;
  const header = req.headers['x-request-id'];
  const id = typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
  (req as WithId).id = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}
