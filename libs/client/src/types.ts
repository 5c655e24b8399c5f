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
}

export type RunStreamEvent = { type: 'delta'; text: string } | { type: 'tool_use'; id: string; name: string } | { type: 'result'; result: RunResult };

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
  ttl_secs: number;
}

export interface SessionState {
  session_id: string;
  agent: string;
  model: string;
  status: 'open' | 'closed';
  busy: boolean;
  created_at: string;
  last_activity_at: string;
  closed_at: string | null;
  turn_count: number;
  /** Agent messages of the last turn that arrived after it was answered (GET /sessions/:id only). */
  late_events?: AcpMessage[];
}

export type AcpMessage = Record<string, unknown>;

export interface TurnBody {
  ok: true;
  session_id: string;
  turn_index: number;
  events: AcpMessage[];
  stop_reason: string;
  duration_ms: number;
  /** Agent messages of the previous turn that arrived after it was answered. */
  late_events: AcpMessage[];
}

export interface AppToken {
  name: string;
  ip_cidrs: string[] | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
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
  session_id: string | null;
  turn_index: number | null;
  queue_ms: number | null;
  request_id: string | null;
  client_ip: string | null;
  end_user: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
