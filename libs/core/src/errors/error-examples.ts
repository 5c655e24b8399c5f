import type { ErrorCode } from './error-codes';

type ClientErrorCode = Exclude<ErrorCode, 'cancelled' | 'interrupted'>;

/**
 * A message each code answers with, as the OpenAPI document shows it in the examples of an error
 * answer: a reader of /docs sees the body of `queue_full`, not one generic error for every status.
 * Typed over every code a client can see, so a new code does not compile without its example.
 */
export const ERROR_EXAMPLES: Record<ClientErrorCode, { message: string; field?: string }> = {
  invalid_request: { message: 'timeout_secs must be at most 3600', field: 'timeout_secs' },
  invalid_json: { message: 'the body is not valid JSON' },
  invalid_cursor: { message: 'cursor is not a cursor this server issued', field: 'cursor' },
  model_not_allowed: { message: 'model "opus" is not allowed for this token; allowed: haiku, sonnet', field: 'model' },
  unsupported_parameter: { message: 'tools is not supported here: the gateway runs claude -p without client tools', field: 'tools' },
  context_length_exceeded: { message: 'prompt is too long: 210000 tokens > 200000 maximum', field: 'messages' },
  missing_token: { message: 'send "Authorization: Bearer <token>"' },
  invalid_token: { message: 'the token is not valid' },
  unauthorized: { message: 'unauthorized' },
  ip_not_allowed: { message: 'your address is not allowed here' },
  admin_required: { message: 'this route needs the admin token' },
  forbidden: { message: 'forbidden' },
  not_found: { message: 'no route GET /nowhere' },
  token_not_found: { message: 'no token named "cauldron"' },
  file_not_found: { message: 'no file ff_Jq3v9yXkzQm1b2c3d4e5f6g7h8i9j0kL' },
  model_not_found: { message: 'the model "gpt-4o" does not exist here; GET /v1/models lists the models this token may use (MODEL_ALIASES maps other names)' },
  session_not_found: { message: 'no session 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f' },
  method_not_allowed: { message: 'method not allowed' },
  request_timeout: { message: 'the request was not received in time' },
  conflict: { message: 'conflict' },
  token_name_taken: { message: 'a live token named "cauldron" already exists; revoke it first to rotate' },
  session_busy: { message: 'session 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f is running a turn; send the next one when it ends' },
  session_closed: { message: 'session 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f is closed; create a new one' },
  session_elsewhere: { message: 'session 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f runs on another instance of this gateway; send its turns and its close there' },
  payload_too_large: { message: 'the file exceeds FILES_MAX_BYTES (26214400 bytes)', field: 'file' },
  attachments_too_large: { message: 'the attached files total 30000000 bytes; a run takes at most 25165824', field: 'files' },
  unsupported_media_type: { message: '"archive.zip" is not a type the model can read; upload an image, a PDF or UTF-8 text', field: 'file' },
  headers_too_large: { message: 'the request headers are too large' },
  too_many_requests: { message: 'too many requests' },
  queue_full: { message: 'the run queue is full; retry after Retry-After seconds' },
  too_many_sessions: { message: 'this token already holds SESSIONS_MAX_OPEN_PER_TOKEN (4) open sessions' },
  rate_limited: { message: 'this token may start 30 runs a minute' },
  budget_exceeded: { message: 'this token has spent its budget for this UTC day ($5)' },
  http_error: { message: 'bad request' },
  internal_error: { message: 'internal error' },
  cli_failed: { message: 'claude failed: API Error: 529 overloaded' },
  output_too_large: { message: 'the CLI printed more than RUN_OUTPUT_MAX_BYTES' },
  structured_output_missing: { message: 'the model did not return output in the requested json_schema' },
  agent_failed: { message: 'acpx could not start the session (acpx exit 1)' },
  session_lost: { message: 'the agent session is gone from acpx; close it and start a new one' },
  permission_unavailable: { message: 'the agent asked for a permission that SESSION_PERMISSIONS does not grant' },
  cli_not_found: { message: 'claude CLI is not installed or not executable' },
  shutting_down: { message: 'the server is shutting down' },
  upstream_auth: { message: 'the claude login is missing or expired: run "claude /login" as the server’s user (or set a valid API key)' },
  upstream_unavailable: { message: 'every Claude login is cooling after a rate or usage limit' },
  instance_unavailable: { message: 'session 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f runs on another instance of this gateway, which is not answering; retry shortly' },
  timeout: { message: 'the run did not finish within 120 s' },
};
