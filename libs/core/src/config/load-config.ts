import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canonicalCidr, isLoopback, parseAddress } from '../net/cidr-list';
import { AppConfig } from './app-config';
import { ConfigError } from './config-error';
import { isModelName } from './model-names';
import { resolveCliBin } from './resolve-cli-bin';

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MIN_ADMIN_TOKEN_LENGTH = 24;
const AGENT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

const FOREIGN_MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** `gpt-4o=sonnet,gpt-4o-mini=haiku`: names other clients send, each served by a model of ours. */
function modelAliasMap(env: Env, name: string): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const item of list(env, name)) {
    const [from, to, extra] = item.split('=').map((part) => part.trim());
    if (!from || !to || extra !== undefined) throw new ConfigError(name, `has "${item}", which is not name=model`);
    if (!FOREIGN_MODEL_NAME.test(from)) throw new ConfigError(name, `has "${from}", which is not a model name`);
    if (!isModelName(to)) throw new ConfigError(name, `maps "${from}" to "${to}", which is not a model alias or claude-… model id`);
    if (isModelName(from)) throw new ConfigError(name, `maps "${from}", which already names a claude model`);
    if (Object.hasOwn(aliases, from)) throw new ConfigError(name, `maps "${from}" twice`);
    aliases[from] = to;
  }
  return aliases;
}

function list(env: Env, name: string): string[] {
  return (text(env, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function cidrs(env: Env, name: string): string[] {
  return list(env, name).map((item) => {
    const canonical = canonicalCidr(item);
    if (!canonical) throw new ConfigError(name, `has "${item}", which is not an IP address or CIDR range`);
    return canonical;
  });
}

/**
 * A hop count trusts whoever connects to name the client, so it is taken only when the listener is
 * loopback (a proxy on the same host is the only one that can reach it); otherwise the proxies'
 * addresses or CIDRs must be named.
 */
function trustProxy(env: Env, host: string): AppConfig['trustProxy'] {
  const raw = text(env, 'TRUST_PROXY');
  if (raw === undefined || ['off', 'false', 'no', '0'].includes(raw.toLowerCase())) return false;
  if (!/^\d+$/.test(raw)) return cidrs(env, 'TRUST_PROXY');
  const hops = integer(env, 'TRUST_PROXY', 0, 1, 32);
  const listener = parseAddress(host === 'localhost' ? '127.0.0.1' : host);
  if (!listener || !isLoopback(listener)) {
    throw new ConfigError('TRUST_PROXY', `is a hop count (${hops}), which lets any peer of HOST=${host} claim any address; name the proxies' addresses or CIDRs instead`);
  }
  return hops;
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const value = (text(env, name) ?? fallback).toLowerCase();
  if (!(choices as readonly string[]).includes(value)) throw new ConfigError(name, `must be one of ${choices.join(', ')}`);
  return value as T;
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

function model(env: Env, name: string, fallback: string): string {
  const value = text(env, name) ?? fallback;
  if (!isModelName(value)) throw new ConfigError(name, `"${value}" is not a model alias or claude-… model id`);
  return value;
}

function flag(env: Env, name: string): boolean {
  const value = (text(env, name) ?? '0').toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, `must be 1 or 0, got "${value}"`);
}

/** A directory an agent's confinement names: absolute, and free of what would break a permission rule or an argument line. */
/** The project's own Claude ACP adapter, when it is installed. */
function installedAdapter(): string | null {
  const bin = resolveCliBin('claude-agent-acp');
  return path.isAbsolute(bin) ? bin : null;
}

function agentPath(name: string, value: string): string {
  if (/[\n\r()]/.test(value)) throw new ConfigError(name, 'must not contain newlines or parentheses');
  return value;
}

const LOGIN_LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/**
 * CLAUDE_CONFIG_DIRS: `label=dir` or `dir` entries separated by commas; without it, the one login the
 * CLI uses by default (CLAUDE_CONFIG_DIR, else ~/.claude).
 */
function claudeLogins(env: Env, cwd: string, defaultDir: string): { label: string; dir: string }[] {
  const entries = list(env, 'CLAUDE_CONFIG_DIRS');
  if (entries.length === 0) return [{ label: 'default', dir: defaultDir }];
  const logins = entries.map((entry, i) => {
    const eq = entry.indexOf('=');
    const label = eq > 0 ? entry.slice(0, eq) : `login${i + 1}`;
    const dir = eq > 0 ? entry.slice(eq + 1) : entry;
    if (!LOGIN_LABEL.test(label)) throw new ConfigError('CLAUDE_CONFIG_DIRS', `has the label "${label}": letters, digits, _ . - only, 32 at most`);
    if (dir === '') throw new ConfigError('CLAUDE_CONFIG_DIRS', `has an empty directory for "${label}"`);
    return { label, dir: agentPath('CLAUDE_CONFIG_DIRS', path.resolve(cwd, dir)) };
  });
  const labels = new Set(logins.map((login) => login.label));
  const dirs = new Set(logins.map((login) => login.dir));
  if (labels.size !== logins.length || dirs.size !== logins.length) throw new ConfigError('CLAUDE_CONFIG_DIRS', 'names a label or a directory twice');
  return logins;
}

/** A setting about several instances on one PostgreSQL: refused without DATABASE_URL rather than ignored. */
function clusterOnly<T>(env: Env, name: string, read: (name: string) => T): T | null {
  if (text(env, name) === undefined) return null;
  if (text(env, 'DATABASE_URL') === undefined) {
    throw new ConfigError(name, 'applies to several instances sharing one PostgreSQL: set DATABASE_URL too (with SQLite there is one instance)');
  }
  return read(name);
}

function httpUrl(env: Env, name: string): string {
  const value = text(env, name)!;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'must be an http:// URL such as http://10.0.0.5:8800');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, `must be an http:// or https:// URL, not ${url.protocol}//…`);
  if (url.pathname !== '/' || url.search !== '' || url.username !== '') throw new ConfigError(name, 'must be the base URL only: scheme, host and port');
  return url.origin;
}

function databaseUrl(env: Env): string | null {
  const value = text(env, 'DATABASE_URL');
  if (value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('DATABASE_URL', 'must be a postgres://user:password@host:port/database URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new ConfigError('DATABASE_URL', `must be a postgres:// URL, not ${url.protocol}//…`);
  return value;
}

function metricsToken(env: Env): string | null {
  const value = text(env, 'METRICS_TOKEN');
  if (value === undefined) return null;
  if (value.length < 16 || /\s/.test(value)) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters, without whitespace');
  return value;
}

function sessionAgents(env: Env): string[] {
  const agents = list(env, 'SESSION_AGENTS');
  for (const agent of agents) if (!AGENT_NAME.test(agent)) throw new ConfigError('SESSION_AGENTS', `has "${agent}", which is not an agent name`);
  return agents.length > 0 ? agents : ['claude'];
}

/** Below this many seconds a sweeper setting is accepted with a warning: it is for watching the sweeper work. */
const SHORT_SWEEP_SECS = 60;

/** ADMIN_BOOTSTRAP_TOKEN, or the first line of the file ADMIN_BOOTSTRAP_TOKEN_FILE names (a Docker secret, say). */
function adminTokenText(env: Env): string | undefined {
  const inline = text(env, 'ADMIN_BOOTSTRAP_TOKEN');
  const file = text(env, 'ADMIN_BOOTSTRAP_TOKEN_FILE');
  if (file === undefined) return inline;
  if (inline !== undefined) throw new ConfigError('ADMIN_BOOTSTRAP_TOKEN_FILE', 'is set together with ADMIN_BOOTSTRAP_TOKEN; set one of them');
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('ADMIN_BOOTSTRAP_TOKEN_FILE', `names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const value = content.split(/\r?\n/)[0].trim();
  if (value === '') throw new ConfigError('ADMIN_BOOTSTRAP_TOKEN_FILE', 'names an empty file');
  return value;
}

function adminToken(env: Env, required: boolean): string | null {
  const value = adminTokenText(env);
  if (value === undefined) {
    if (required) throw new ConfigError('ADMIN_BOOTSTRAP_TOKEN', 'is required');
    return null;
  }
  if (value.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError('ADMIN_BOOTSTRAP_TOKEN', `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  if (/\s/.test(value)) throw new ConfigError('ADMIN_BOOTSTRAP_TOKEN', 'must not contain whitespace');
  return value;
}

/** A sweeper period or TTL: any whole number of seconds from 1 up; under a minute is noted in `short`. */
function sweepSecs(env: Env, name: string, fallback: number, max: number, short: string[]): number {
  const value = integer(env, name, fallback, 1, max);
  if (value < SHORT_SWEEP_SECS) short.push(`${name}=${value}`);
  return value;
}

export interface LoadConfigOptions {
  /** The server needs ADMIN_BOOTSTRAP_TOKEN; the admin CLI works on the database directly and does not. */
  adminTokenRequired?: boolean;
}

/** Reads and validates every variable; throws ConfigError naming the first bad one. */
export function loadConfig(env: Env, cwd = process.cwd(), options: LoadConfigOptions = {}): AppConfig {
  const admin = adminToken(env, options.adminTokenRequired ?? true);
  const short: string[] = [];

  const logLevel = oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info');

  const dir = (name: string, fallback: string) => path.resolve(cwd, text(env, name) ?? fallback);
  const dataDir = dir('DATA_DIR', 'data');

  const modelAllowlist = list(env, 'MODEL_ALLOWLIST');
  for (const item of modelAllowlist) {
    if (!isModelName(item)) throw new ConfigError('MODEL_ALLOWLIST', `has "${item}", which is not a model alias or claude-… model id`);
  }
  const defaultModel = model(env, 'DEFAULT_MODEL', 'sonnet');
  if (modelAllowlist.length > 0 && !modelAllowlist.includes(defaultModel)) {
    throw new ConfigError('DEFAULT_MODEL', `"${defaultModel}" is not in MODEL_ALLOWLIST`);
  }

  const modelAliases = modelAliasMap(env, 'MODEL_ALIASES');

  const host = text(env, 'HOST') ?? '0.0.0.0';
  const defaultLoginDir = agentPath('CLAUDE_CONFIG_DIR', path.resolve(cwd, text(env, 'CLAUDE_CONFIG_DIR') ?? path.join(text(env, 'HOME') ?? os.homedir(), '.claude')));
  const logins = claudeLogins(env, cwd, defaultLoginDir);
  const config = Object.assign(new AppConfig(), {
    port: integer(env, 'PORT', 8800, 0, 65535),
    host,
    adminToken: admin,
    allowCidrs: cidrs(env, 'ALLOW_CIDRS'),
    trustProxy: trustProxy(env, host),
    dataDir,
    databasePath: path.resolve(cwd, text(env, 'DATABASE_PATH') ?? path.join(dataDir, 'clawdforge.db')),
    filesDir: path.resolve(cwd, text(env, 'FILES_DIR') ?? path.join(dataDir, 'files')),
    runsDir: path.resolve(cwd, text(env, 'RUNS_DIR') ?? path.join(dataDir, 'runs')),
    acpxSessionsCwd: path.resolve(cwd, text(env, 'ACPX_SESSIONS_CWD') ?? path.join(dataDir, 'acpx-cwds')),
    claudeBin: text(env, 'CLAUDE_BIN') ?? resolveCliBin('claude'),
    acpxBin: text(env, 'ACPX_BIN') ?? resolveCliBin('acpx'),
    claudeAcpBin: text(env, 'CLAUDE_ACP_BIN') ?? installedAdapter(),
    defaultModel,
    modelAllowlist,
    modelAliases,
    sweepIntervalSecs: sweepSecs(env, 'CLAWDFORGE_SWEEP_INTERVAL_SECS', 60, 86400, short),
    sessionTtlSecs: sweepSecs(env, 'CLAWDFORGE_SESSION_TTL_SECS', 3600, 30 * 86400, short),
    sessionHardTtlSecs: sweepSecs(env, 'CLAWDFORGE_SESSION_HARD_TTL_SECS', 86400, 365 * 86400, short),
    logLevel,
    shutdownGraceSecs: integer(env, 'SHUTDOWN_GRACE_SECS', 30, 0, 3600),
    healthProbeIntervalSecs: integer(env, 'HEALTH_PROBE_INTERVAL_SECS', 60, 1, 86400),
    maxConcurrentRuns: integer(env, 'MAX_CONCURRENT_RUNS', 4, 1, 256),
    runQueueMax: integer(env, 'RUN_QUEUE_MAX', 64, 0, 100_000),
    runQueueMaxPerToken: integer(env, 'RUN_QUEUE_MAX_PER_TOKEN', 16, 0, 100_000),
    runOutputMaxBytes: integer(env, 'RUN_OUTPUT_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    runWarmPool: integer(env, 'RUN_WARM_POOL', 1, 0, 16),
    runWarmPoolKeyTtlSecs: integer(env, 'RUN_WARM_POOL_KEY_TTL_SECS', 600, 1, 7 * 86400),
    runWarmPoolMax: integer(env, 'RUN_WARM_POOL_MAX', 4, 0, 256),
    runWarmPoolMaxIdleSecs: integer(env, 'RUN_WARM_POOL_MAX_IDLE_SECS', 900, 5, 86400),
    claudeMaxRetries: integer(env, 'CLAUDE_MAX_RETRIES', 2, 0, 10),
    runTools: oneOf(env, 'RUN_TOOLS', ['none', 'read-only'] as const, 'none'),
    claudeConfigDir: logins[0].dir,
    databaseUrl: databaseUrl(env),
    maxConcurrentRunsGlobal: clusterOnly(env, 'MAX_CONCURRENT_RUNS_GLOBAL', (name) => integer(env, name, 0, 1, 100_000)),
    instanceUrl: clusterOnly(env, 'INSTANCE_URL', (name) => httpUrl(env, name)),
    claudeLogins: logins,
    allowUnsandboxedAgents: flag(env, 'ALLOW_UNSANDBOXED_AGENTS'),
    sessionAgents: sessionAgents(env),
    sessionAgentCommands: agentCommands(env, 'SESSION_AGENT_COMMANDS'),
    sessionPermissions: oneOf(env, 'SESSION_PERMISSIONS', ['approve-reads', 'approve-all', 'deny-all'] as const, 'approve-reads'),
    acpxHome: path.resolve(cwd, text(env, 'ACPX_HOME') ?? path.join(dataDir, 'acpx-home')),
    claudeStateDir: path.join(dataDir, 'claude-state'),
    sessionsMaxOpen: integer(env, 'SESSIONS_MAX_OPEN', 16, 1, 1000),
    sessionWarmClients: integer(env, 'SESSION_WARM_CLIENTS', 1, 0, 1) === 1,
    sessionsMaxOpenPerToken: integer(env, 'SESSIONS_MAX_OPEN_PER_TOKEN', 4, 1, 1000),
    filesMaxPerToken: integer(env, 'FILES_MAX_PER_TOKEN', 200, 1, 1_000_000),
    filesMaxTotalBytesPerToken: integer(env, 'FILES_MAX_TOTAL_BYTES_PER_TOKEN', 512 * 1024 * 1024, 1, 1024 * 1024 * 1024 * 1024),
    auditRetentionDays: integer(env, 'AUDIT_RETENTION_DAYS', 90, 0, 36_500),
    metricsToken: metricsToken(env),
    filesMaxBytes: integer(env, 'FILES_MAX_BYTES', 25 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    runAttachmentsMaxBytes: integer(env, 'RUN_ATTACHMENTS_MAX_BYTES', 24 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    warnings:
      short.length > 0 ? [`sweeper settings under ${SHORT_SWEEP_SECS} s (${short.join(', ')}): fine for watching the sweeper work, too eager for production`] : [],
  });
  // These paths end up in the permission rules and sandbox settings that confine agents.
  const statePaths: [string, string][] = [
    ['DATA_DIR', config.dataDir],
    ['DATABASE_PATH', config.databasePath],
    ['FILES_DIR', config.filesDir],
    ['RUNS_DIR', config.runsDir],
    ['ACPX_SESSIONS_CWD', config.acpxSessionsCwd],
    ['ACPX_HOME', config.acpxHome],
  ];
  for (const [name, value] of statePaths) agentPath(name, value);
  return config;
}
