import type { Response } from 'express';
import type { AuditFields } from './request-context';

/** Aborts when the client goes away before its answer is written, and marks the audit row cancelled. */
export function clientGoneSignal(res: Response, audit: AuditFields): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (res.writableFinished) return;
    audit.errorCode = 'cancelled';
    controller.abort();
  });
  return controller.signal;
}
