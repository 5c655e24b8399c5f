import type { ErrorCode } from './errors.js';

/** Every success body carries `ok: true`. */
export type Success<T> = { ok: true } & T;

export interface ListOptions {
  /** Page size, 1..1000 (default 100). */
  limit?: number;
  /** The `next_cursor` of the previous page. */
  cursor?: string;
}

export interface Page<T> {
  ok: true;
  items: T[];
  /** Pass it back as `cursor` for the next page; null on the last. */
  next_cursor: string | null;
}

/** The error body of every failure (ClawdforgeError carries its fields). */
export interface ErrorBody {
  ok: false;
  error: { code: ErrorCode; message: string; field?: string };
}

export interface Health {
  /** False when the database does not answer (the server then answers 503). */
  ok: boolean;
  version: string;
  claude_present: boolean;
  claude_version: string | null;
  claude_logged_in: boolean;
  claude_login: { method: string; expires_at: string | null } | null;
  acpx_present: boolean;
  acpx_version: string | null;
  db_ok: boolean;
  agents: {
    file_tools: 'restricted';
    session_permissions: 'deny-all' | 'approve-reads' | 'approve-all';
    shell_sandbox: 'bwrap' | 'none' | 'not_needed';
    unsandboxed_agents: boolean;
  };
  audit_write_failures: number;
  cli_children: number;
  warm_pool: { spares: number; warm_runs: number; cold_runs: number; session_clients: number };
  /** `/v1` runs with client tools: between a request and its answer, and parked waiting for the client's tool results. */
  tool_runs: { running: number; parked: number };
  claude_logins: { index: number; label: string; logged_in: boolean; runs_in_flight: number; cooling_until: string | null }[];
}

export interface RunRequest {
  prompt: string;
  model?: string;
  system?: string;
  files?: string[];
  timeout_secs?: number;
  json_schema?: Record<string, unknown>;
}

export interface RunResult {
  ok: true;
  result: unknown;
  duration_ms: number;
  stop_reason: string | null;
  queue_ms: number;
  model: string | null;
  usage: { input_tokens: number | null; output_tokens: number | null; cache_creation_input_tokens: number | null; cache_read_input_tokens: number | null };
  cost_usd: number | null;
  session_id: string | null;
  /** Tool calls refused during the run; each went back to the model as a tool error. */
  tools_refused: number;
}

export type RunStreamEvent = { type: 'delta'; text: string } | { type: 'tool_use'; id: string; name: string } | { type: 'result'; result: RunResult };

/** A background run (`runs.start`): its state, and once it ended the body a plain run would have answered. */
export interface BackgroundRun {
  ok: true;
  run_id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The status a plain run would have answered, once it ended. */
  http_status: number | null;
  /** The body a plain run would have answered (its result, or its error body), once it ended. */
  response: RunResult | { ok: false; error: { code: string; message: string; field?: string } } | null;
  expires_at: string | null;
}

export interface BackgroundRunAccepted {
  ok: true;
  run_id: string;
  status: 'queued';
}

/** One event of a background run, with its number (give it back as `after` to resume after it). */
export type BackgroundRunEvent = { seq: number } & ({ type: 'delta'; text: string } | { type: 'tool_use'; id: string; name: string } | { type: 'result'; result: RunResult } | { type: 'error'; error: { code: string; message: string } });

export interface StoredFile {
  file_token: string;
  name: string;
  size: number;
  sha256: string;
  media_type: string;
  created_at: string;
  expires_at: string;
}

export interface UploadedFile extends StoredFile {
  ok: true;
  ttl_secs: number;
}

export interface DeletedFile {
  ok: true;
  file_token: string;
  deleted: boolean;
}

/** A session as lists show it. */
export interface SessionSummary {
  session_id: string;
  agent: string;
  model: string;
  status: 'open' | 'closed';
  busy: boolean;
  created_at: string;
  last_activity_at: string;
  closed_at: string | null;
  turn_count: number;
}

export interface SessionState extends SessionSummary {
  ok: true;
  /** Agent messages of the last turn that arrived after it was answered (GET /sessions/:id only). */
  late_events?: AcpMessage[];
}

export interface NewSessionOptions {
  agent?: string;
  model?: string;
  system?: string;
}

export type AcpMessage = Record<string, unknown>;

export interface TurnRequest {
  prompt: string;
  timeout_secs?: number;
}

export interface TurnBody {
  ok: true;
  session_id: string;
  turn_index: number;
  events: AcpMessage[];
  stop_reason: string;
  /** Tool calls refused during the turn; each went back to the model as a tool error. */
  tools_refused: number;
  duration_ms: number;
  /** Agent messages of the previous turn that arrived after it was answered. */
  late_events: AcpMessage[];
}

/** A token's limits; null where there is none. */
export interface TokenLimits {
  models: string[] | null;
  max_concurrent_runs: number | null;
  runs_per_minute: number | null;
  budget_usd_day: number | null;
  budget_usd_month: number | null;
}

/** Limits to set: a field left out stays, null lifts it. */
export type TokenPolicy = { [K in keyof TokenLimits]?: TokenLimits[K] };

export interface AppToken extends TokenLimits {
  name: string;
  ip_cidrs: string[] | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CreatedToken extends AppToken {
  ok: true;
  /** The plaintext token, shown this once. */
  token: string;
}

export interface CreateTokenRequest extends TokenPolicy {
  name: string;
  ip_cidrs?: string[];
}

export interface UpdateTokenRequest extends TokenPolicy {
  /** null or [] removes the token's own allowlist. */
  ip_cidrs?: string[] | null;
}

export interface AuditRow {
  id: number;
  at: string;
  token_name: string | null;
  method: string;
  route: string;
  status: number;
  duration_ms: number;
  error_code: string | null;
  model: string | null;
  prompt_chars: number | null;
  response_chars: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  tools_refused: number | null;
  session_id: string | null;
  turn_index: number | null;
  queue_ms: number | null;
  request_id: string | null;
  client_ip: string | null;
  end_user: string | null;
  /** How many requests the row stands for, null for one: a per-minute summary of refusals from one peer outside the allowlist. */
  requests: number | null;
  /** true: answered again from the answer kept for its Idempotency-Key (nothing ran, nothing was billed); null otherwise. */
  replayed: boolean | null;
}

export interface AuditListOptions extends ListOptions {
  token?: string;
  route?: string;
  /** `failed` (400 and over), a class such as `4xx`, or one status such as `429` */
  status?: string;
  /** ISO-8601 */
  since?: string;
  /** ISO-8601, exclusive */
  until?: string;
  /** Only rows after this id, oldest first: to follow the log */
  after_id?: number;
}

export interface UsageTotals {
  runs: number;
  turns: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cost_usd: number;
}

export interface UsageGroup extends UsageTotals {
  token: string;
  /** With group_by=day */
  day?: string;
  /** With group_by=model */
  model?: string | null;
}

export interface UsageListOptions extends ListOptions {
  token?: string;
  /** ISO-8601, inclusive */
  since?: string;
  /** ISO-8601, exclusive */
  until?: string;
  group_by?: 'token' | 'day' | 'model';
}

export interface OwnUsage {
  ok: true;
  token: string;
  today: UsageTotals;
  month: UsageTotals;
  limits: TokenLimits;
  budget_left_day: number | null;
  budget_left_month: number | null;
}
