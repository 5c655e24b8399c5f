import type { FilesConfig, IdempotencyConfig, RunsConfig, SessionsConfig, SweeperConfig, ToolsConfig } from '../app-config';
import { ConfigError } from '../config-error';
import { Env, flag, integer, list, oneOf, sweepSecs, text } from '../env-readers';

const AGENT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** MAX_CONCURRENT_RUNS, RUN_QUEUE_MAX(_PER_TOKEN), RUN_OUTPUT_MAX_BYTES, RUN_WARM_POOL*, RUN_TOOLS, RUN_ATTACHMENTS_MAX_BYTES, RUN_RESULT_TTL_SECS. */
export function loadRunsConfig(env: Env): RunsConfig {
  return {
    resultTtlSecs: integer(env, 'RUN_RESULT_TTL_SECS', 86400, 60, 30 * 86400),
    maxConcurrent: integer(env, 'MAX_CONCURRENT_RUNS', 4, 1, 256),
    queueMax: integer(env, 'RUN_QUEUE_MAX', 64, 0, 100_000),
    queueMaxPerToken: integer(env, 'RUN_QUEUE_MAX_PER_TOKEN', 16, 0, 100_000),
    outputMaxBytes: integer(env, 'RUN_OUTPUT_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    warmPool: integer(env, 'RUN_WARM_POOL', 1, 0, 16),
    warmPoolKeyTtlSecs: integer(env, 'RUN_WARM_POOL_KEY_TTL_SECS', 600, 1, 7 * 86400),
    warmPoolMax: integer(env, 'RUN_WARM_POOL_MAX', 4, 0, 256),
    warmPoolMaxIdleSecs: integer(env, 'RUN_WARM_POOL_MAX_IDLE_SECS', 900, 5, 86400),
    tools: oneOf(env, 'RUN_TOOLS', ['none', 'read-only'] as const, 'none'),
    attachmentsMaxBytes: integer(env, 'RUN_ATTACHMENTS_MAX_BYTES', 24 * 1024 * 1024, 1, 1024 * 1024 * 1024),
  };
}

/** TOOL_PARK_SECS, TOOL_RUNS_MAX, TOOL_RUNS_MAX_PER_TOKEN. */
export function loadToolsConfig(env: Env): ToolsConfig {
  return {
    parkSecs: integer(env, 'TOOL_PARK_SECS', 600, 1, 86400),
    runsMax: integer(env, 'TOOL_RUNS_MAX', 16, 0, 10_000),
    runsMaxPerToken: integer(env, 'TOOL_RUNS_MAX_PER_TOKEN', 4, 0, 10_000),
  };
}

/** IDEMPOTENCY_TTL_SECS. */
export function loadIdempotencyConfig(env: Env): IdempotencyConfig {
  return { ttlSecs: integer(env, 'IDEMPOTENCY_TTL_SECS', 86400, 60, 30 * 86400) };
}

/** CLAWDFORGE_SESSION_(HARD_)TTL_SECS, SESSION_AGENTS, SESSION_AGENT_COMMANDS, SESSION_PERMISSIONS, ALLOW_UNSANDBOXED_AGENTS, SESSIONS_MAX_OPEN(_PER_TOKEN), SESSION_WARM_CLIENTS. */
export function loadSessionsConfig(env: Env, short: string[]): SessionsConfig {
  return {
    ttlSecs: sweepSecs(env, 'CLAWDFORGE_SESSION_TTL_SECS', 3600, 30 * 86400, short),
    hardTtlSecs: sweepSecs(env, 'CLAWDFORGE_SESSION_HARD_TTL_SECS', 86400, 365 * 86400, short),
    agents: sessionAgents(env),
    agentCommands: agentCommands(env, 'SESSION_AGENT_COMMANDS'),
    permissions: oneOf(env, 'SESSION_PERMISSIONS', ['approve-reads', 'approve-all', 'deny-all'] as const, 'approve-reads'),
    allowUnsandboxedAgents: flag(env, 'ALLOW_UNSANDBOXED_AGENTS'),
    maxOpen: integer(env, 'SESSIONS_MAX_OPEN', 16, 1, 1000),
    maxOpenPerToken: integer(env, 'SESSIONS_MAX_OPEN_PER_TOKEN', 4, 1, 1000),
    warmClients: integer(env, 'SESSION_WARM_CLIENTS', 1, 0, 1) === 1,
  };
}

function sessionAgents(env: Env): string[] {
  const agents = list(env, 'SESSION_AGENTS');
  for (const agent of agents) if (!AGENT_NAME.test(agent)) throw new ConfigError('SESSION_AGENTS', `has "${agent}", which is not an agent name`);
  return agents.length > 0 ? agents : ['claude'];
}

/** `name=command;name=command`: raw ACP agent commands by agent name. */
function agentCommands(env: Env, name: string): Record<string, string> {
  const commands: Record<string, string> = {};
  for (const pair of (text(env, name) ?? '').split(';').map((item) => item.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    const agent = pair.slice(0, at).trim();
    const command = pair.slice(at + 1).trim();
    if (at <= 0 || !AGENT_NAME.test(agent) || command === '') throw new ConfigError(name, `has "${pair}"; expected name=command pairs separated by ;`);
    commands[agent] = command;
  }
  return commands;
}

/** FILES_MAX_BYTES, FILES_MAX_PER_TOKEN, FILES_MAX_TOTAL_BYTES_PER_TOKEN. */
export function loadFilesConfig(env: Env): FilesConfig {
  return {
    maxBytes: integer(env, 'FILES_MAX_BYTES', 25 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    maxPerToken: integer(env, 'FILES_MAX_PER_TOKEN', 200, 1, 1_000_000),
    maxTotalBytesPerToken: integer(env, 'FILES_MAX_TOTAL_BYTES_PER_TOKEN', 512 * 1024 * 1024, 1, 1024 * 1024 * 1024 * 1024),
  };
}

/** CLAWDFORGE_SWEEP_INTERVAL_SECS, AUDIT_RETENTION_DAYS. */
export function loadSweeperConfig(env: Env, short: string[]): SweeperConfig {
  return {
    intervalSecs: sweepSecs(env, 'CLAWDFORGE_SWEEP_INTERVAL_SECS', 60, 86400, short),
    auditRetentionDays: integer(env, 'AUDIT_RETENTION_DAYS', 90, 0, 36_500),
  };
}
