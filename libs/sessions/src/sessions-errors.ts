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

/** Carries the owner, so the request can be forwarded there (ForwardToOwnerFilter); answered as 409 only when it cannot be. */
export class SessionElsewhereError extends ConflictError {
  constructor(
    readonly sessionId: string,
    readonly instanceId: string,
  ) {
    super('session_elsewhere', `session ${sessionId} runs on another instance of this gateway; send its turns and its close there`);
  }
}

export class InstanceUnavailableError extends ApiError {
  constructor(id: string) {
    super('instance_unavailable', `session ${id} runs on another instance of this gateway, which is not answering; retry shortly`, undefined, { 'Retry-After': '5' });
  }
}

/** `global`: SESSIONS_MAX_OPEN, all tokens together; `token`: SESSIONS_MAX_OPEN_PER_TOKEN, the caller's own. */
export type SessionLimit = 'global' | 'token';

export class TooManySessionsError extends ApiError {
  constructor(
    readonly limit: SessionLimit,
    max: number,
  ) {
    super(
      'too_many_sessions',
      limit === 'token'
        ? `this token has ${max} sessions open (SESSIONS_MAX_OPEN_PER_TOKEN); close one first`
        : `${max} sessions are open, all tokens together (SESSIONS_MAX_OPEN); retry later`,
      undefined,
      { 'Retry-After': '60' },
    );
  }
}
