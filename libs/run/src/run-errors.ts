import { HttpStatus } from '@nestjs/common';
import { ApiError } from '@clawdforge/core';

export class QueueFullError extends ApiError {
  constructor(retryAfterSecs: number) {
    super(HttpStatus.TOO_MANY_REQUESTS, 'queue_full', 'too many runs are waiting; retry later', undefined, {
      'Retry-After': String(retryAfterSecs),
    });
  }
}

export class RunTimeoutError extends ApiError {
  constructor(timeoutSecs: number) {
    super(HttpStatus.GATEWAY_TIMEOUT, 'timeout', `the run did not finish within ${timeoutSecs} s`);
  }
}

export class RunFailedError extends ApiError {
  constructor(message: string, code = 'cli_failed') {
    super(HttpStatus.BAD_GATEWAY, code, message);
  }
}

export class ShuttingDownError extends ApiError {
  constructor() {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'shutting_down', 'the server is shutting down', undefined, { 'Retry-After': '5' });
  }
}

/** The client went away; nobody reads the answer, but the audit row says so. */
export class RunCancelledError extends Error {
  constructor() {
    super('the client disconnected');
    this.name = 'RunCancelledError';
  }
}
