import { ApiError } from '@clawdforge/core';

/** `global`: RUN_QUEUE_MAX, all tokens together; `token`: RUN_QUEUE_MAX_PER_TOKEN, the caller's own. */
export type QueueLimit = 'global' | 'token';

export class QueueFullError extends ApiError {
  constructor(
    readonly limit: QueueLimit,
    max: number,
    retryAfterSecs: number,
  ) {
    super(
      'queue_full',
      limit === 'token'
        ? `this token's share of the run queue is full (RUN_QUEUE_MAX_PER_TOKEN = ${max}); retry later`
        : `the run queue is full (RUN_QUEUE_MAX = ${max}, all tokens together); retry later`,
      undefined,
      { 'Retry-After': String(retryAfterSecs) },
    );
  }
}
