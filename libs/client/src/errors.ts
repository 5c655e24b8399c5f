/** Any answer other than success, or a broken stream. Never carries the token. */
export class ClawdforgeError extends Error {
  constructor(
    /** The server's snake_case code (`invalid_request`, `queue_full`, …), or `network_error`. */
    readonly code: string,
    /** The HTTP status; 0 when no answer arrived. */
    readonly status: number,
    message: string,
    /** The X-Request-Id of the failed request, for the server's logs and audit rows. */
    readonly requestId: string | null = null,
    /** The request field at fault, for validation errors. */
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ClawdforgeError';
  }
}

/** Thrown at once, without a request, by a turn on a session this client already closed. */
export class SessionClosedError extends ClawdforgeError {
  constructor(sessionId: string) {
    super('session_closed', 0, `session ${sessionId} was closed by this client`);
    this.name = 'SessionClosedError';
  }
}
