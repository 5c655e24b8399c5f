/**
 * Every code a ClawdforgeError can carry: the server's (error-codes.spec.ts holds them equal to its
 * list) and this SDK's own, `network_error` when no answer arrived and `stream_error` for an `error`
 * event without a code.
 */
export const ERROR_CODE_LIST = [
  'invalid_request',
  'invalid_json',
  'invalid_cursor',
  'model_not_allowed',
  'unsupported_parameter',
  'context_length_exceeded',
  'missing_token',
  'invalid_token',
  'unauthorized',
  'ip_not_allowed',
  'admin_required',
  'forbidden',
  'not_found',
  'token_not_found',
  'file_not_found',
  'session_not_found',
  'run_not_found',
  'model_not_found',
  'method_not_allowed',
  'request_timeout',
  'conflict',
  'token_name_taken',
  'session_busy',
  'session_closed',
  'session_elsewhere',
  'payload_too_large',
  'attachments_too_large',
  'unsupported_media_type',
  'idempotency_key_reused',
  'headers_too_large',
  'too_many_requests',
  'queue_full',
  'too_many_sessions',
  'rate_limited',
  'budget_exceeded',
  'http_error',
  'internal_error',
  'cli_failed',
  'output_too_large',
  'structured_output_missing',
  'interrupted',
  'agent_failed',
  'session_lost',
  'permission_unavailable',
  'cli_not_found',
  'shutting_down',
  'upstream_auth',
  'upstream_unavailable',
  'instance_unavailable',
  'timeout',
  'network_error',
  'stream_error',
] as const;

export type ErrorCode = (typeof ERROR_CODE_LIST)[number];

/** Any answer other than success, or a broken stream. Never carries the token. */
export class ClawdforgeError extends Error {
  /**
   * The server's snake_case code (`invalid_request`, `queue_full`, …), or `network_error` or
   * `stream_error`. Taken from the wire as it is: a server newer than this SDK may send one not listed yet.
   */
  readonly code: ErrorCode;

  constructor(
    code: string,
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
    this.code = code as ErrorCode;
  }
}

/** Thrown at once, without a request, by a turn on a session this client already closed. */
export class SessionClosedError extends ClawdforgeError {
  constructor(sessionId: string) {
    super('session_closed', 0, `session ${sessionId} was closed by this client`);
    this.name = 'SessionClosedError';
  }
}
