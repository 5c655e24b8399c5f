/** The shapes of the API answers the console reads (as /docs-json documents them). */
export interface Health {
  ok: boolean;
  version: string;
  db_ok: boolean;
  claude_present: boolean;
  claude_version: string | null;
  claude_logged_in: boolean;
  claude_login: { method: string; expires_at: string | null } | null;
  acpx_present: boolean;
  acpx_version: string | null;
  audit_write_failures: number;
  cli_children: number;
  warm_pool: { spares: number; warm_runs: number; cold_runs: number; session_clients: number };
  claude_logins: { index: number; label: string; logged_in: boolean; runs_in_flight: number; cooling_until: string | null }[];
}

export interface Limits {
  models: string[] | null;
  max_concurrent_runs: number | null;
  runs_per_minute: number | null;
  budget_usd_day: number | null;
  budget_usd_month: number | null;
}

export interface TokenRow extends Limits {
  name: string;
  ip_cidrs: string[] | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
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
  day?: string;
  model?: string | null;
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
  requests: number | null;
}

export interface OwnUsage {
  token: string;
  today: UsageTotals;
  month: UsageTotals;
  limits: Limits;
  budget_left_day: number | null;
  budget_left_month: number | null;
}
