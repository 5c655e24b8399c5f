import { ApiError, ConflictError, NotFoundError } from '@clawdforge/core';

/** Unknown, hard-deleted, or another token's: all look the same from outside. */
export class SessionNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('session_not_found', `no session ${id.slice(0, 80)}`);
  }
}

export class SessionBusyError extends ConflictError {
  constructor(id: string) {
    super('session_busy', `session ${id} is running a turn; send the next one when it ends`);
  }
}

export class SessionClosedError extends ConflictError {
  constructor(id: string) {
    super('session_closed', `session ${id} is closed; create a new one`);
  }
}

export class TooManySessionsError extends ApiError {
  constructor(max: number) {
    super('too_many_sessions', `${max} sessions are open (SESSIONS_MAX_OPEN); close one first`, undefined, { 'Retry-After': '60' });
  }
}
