import type { Response } from 'express';
import type { AuditFields } from './request-context';

/**
 * Aborts when the client goes away before its answer is written, and marks the audit row cancelled;
 * unless the answer is kept for a retry (an Idempotency-Key's first request): then the work goes on.
 */
export function clientGoneSignal(res: Response, audit: AuditFields): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (res.writableFinished || res.locals.workOutlivesClient === true) return;
    audit.errorCode = 'cancelled';
    controller.abort();
  });
  return controller.signal;
}
