/**
 * Every code the API answers with, and the status it answers with: the one place a code's status
 * is decided. The SDK's ErrorCode list is held equal to these keys by
 * clients/typescript/src/error-codes.spec.ts, the Rust crate's ErrorCode by clients/rust/tests/errors.rs.
 */
export const ERROR_CODES = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_cursor: 400,
  model_not_allowed: 400,
  // The OpenAI and Anthropic routes: a parameter they refuse rather than drop, and a prompt past the model's context window.
  unsupported_parameter: 400,
  context_length_exceeded: 400,
  missing_token: 401,
  invalid_token: 401,
  unauthorized: 401,
  ip_not_allowed: 403,
  admin_required: 403,
  forbidden: 403,
  not_found: 404,
  token_not_found: 404,
  file_not_found: 404,
  session_not_found: 404,
  run_not_found: 404,
  // The OpenAI and Anthropic routes: a model name neither the CLI nor MODEL_ALIASES knows.
  model_not_found: 404,
  method_not_allowed: 405,
  // Answered by the HTTP server itself, before any route: a client too slow to send its request.
  request_timeout: 408,
  conflict: 409,
  token_name_taken: 409,
  session_busy: 409,
  session_closed: 409,
  session_elsewhere: 409,
  payload_too_large: 413,
  attachments_too_large: 413,
  unsupported_media_type: 415,
  // An Idempotency-Key this token already used for a different request.
  idempotency_key_reused: 422,
  // Answered by the HTTP server itself: a header block past Node's limit (16 KiB).
  headers_too_large: 431,
  too_many_requests: 429,
  queue_full: 429,
  too_many_sessions: 429,
  rate_limited: 429,
  budget_exceeded: 429,
  // Nobody is left to read it: the audit trail's record of a client that went away mid-run.
  cancelled: 499,
  // The server died mid-run (kill -9, power): its next start closes the run's audit row with this, and
  // a retry with the run's Idempotency-Key is answered it (the work may have been billed; it is not redone).
  interrupted: 502,
  // The catch-alls for a Nest HttpException whose status has no code above, 4xx and 5xx: such an
  // answer keeps the exception's own status. internal_error is also the bare 500 for anything unforeseen.
  http_error: 400,
  internal_error: 500,
  cli_failed: 502,
  output_too_large: 502,
  structured_output_missing: 502,
  agent_failed: 502,
  session_lost: 502,
  permission_unavailable: 502,
  cli_not_found: 503,
  shutting_down: 503,
  upstream_auth: 503,
  upstream_unavailable: 503,
  // A session's turn or close reached an instance other than the one holding it, and that one is down.
  instance_unavailable: 503,
  timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes only audit rows carry: of a client that went away. No client is answered with them. */
export const AUDIT_ONLY_ERROR_CODES: readonly ErrorCode[] = ['cancelled'];

/** Every code a client can be answered with. */
export const CLIENT_ERROR_CODES: readonly ErrorCode[] = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => !AUDIT_ONLY_ERROR_CODES.includes(code));

/** The codes that answer with `status`: what a class named for a status (NotFoundError, …) may take. */
export type ErrorCodeWithStatus<S extends number> = { [C in ErrorCode]: (typeof ERROR_CODES)[C] extends S ? C : never }[ErrorCode];

/** Codes as a Swagger description names them, `a`, `b`; a misspelt code does not compile. */
export function codeList(...codes: ErrorCode[]): string {
  return codes.map((code) => `\`${code}\``).join(', ');
}
