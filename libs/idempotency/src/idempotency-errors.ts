import { ApiError } from '@clawdforge/core';

/** The header a client names the intent of a POST with. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** On an answer given again from what was kept for its key. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** The token used this key for another request. */
export class IdempotencyKeyReusedError extends ApiError {
  constructor() {
    super('idempotency_key_reused', 'this Idempotency-Key was used for a different request (its method, path or body); use a new key for a new request', IDEMPOTENCY_KEY_HEADER);
  }
}

/** The first request with this key was cut short by the server stopping; its work is not done again. */
export class InterruptedByCrashError extends ApiError {
  constructor() {
    super('interrupted', 'the server stopped while the first request with this Idempotency-Key was being answered; its work may have been billed (see /usage) and is not done again: send a new key to run it again');
  }
}
