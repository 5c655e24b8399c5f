import { ApiError } from '@clawdforge/core';

export class QueueFullError extends ApiError {
  constructor(retryAfterSecs: number) {
    super('queue_full', 'too many runs are waiting; retry later', undefined, {
      'Retry-After': String(retryAfterSecs),
    });
  }
}
