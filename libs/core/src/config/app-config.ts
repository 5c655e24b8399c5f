/** The listener, who may reach it and how it reports. */
export interface ServerConfig {
  /** PORT / HOST. */
  port: number;
  host: string;
  /** The admin bearer; null only where it is not needed (the admin CLI). */
  adminToken: string | null;
  /** Global allowlist beyond loopback, canonical CIDR text. */
  allowCidrs: string[];
  /** Express `trust proxy`: false, a hop count, or the proxies' addresses/CIDRs. */
  trustProxy: false | number | string[];
  logLevel: string;
  /** How long SIGTERM waits for in-flight requests before closing them. */
  shutdownGraceSecs: number;
  /** How often /healthz's cached CLI versions are refreshed in the background. */
  healthProbeIntervalSecs: number;
  /** When set, GET /metrics also needs `Authorization: Bearer` with it. */
  metricsToken: string | null;
}

/** Where the state lives on disk. */
export interface PathsConfig {
  dataDir: string;
  filesDir: string;
  /** Runs' working directories, one per claude process. */
  runsDir: string;
  /** Sessions' working directories (ACPX_SESSIONS_CWD). */
  sessionsCwd: string;
  /** HOME for acpx children: acpx keeps its session state in $HOME/.acpx. */
  acpxHome: string;
  /**
   * Claude Code's own state (settings, transcripts, caches) of each run and session, one private
   * directory each ($DATA_DIR/claude-state); the login's directory holds only its credentials.
   */
  claudeStateDir: string;
}

export interface DatabaseConfig {
  /** The SQLite file (WAL mode). */
  path: string;
  /** postgres://… to keep state in PostgreSQL (several instances may share it); null: SQLite at `path`. */
  url: string | null;
}

/** Several instances on one PostgreSQL database. */
export interface ClusterConfig {
  /** Runs at once across every instance on the database (advisory locks); null: no bound beyond each instance's own. */
  maxConcurrentRunsGlobal: number | null;
  /** The URL the other instances reach this one at (sessions' turns are forwarded there); null: its own address and port. */
  instanceUrl: string | null;
}

/** The CLIs the gateway runs. */
export interface ClisConfig {
  claudeBin: string;
  acpxBin: string;
  /** The Claude ACP adapter acpx starts for the `claude` agent; null when none is installed (acpx's built-in agent then). */
  claudeAcpBin: string | null;
  /** Upstream retries the claude CLI may make per run (its own default retries for minutes). */
  claudeMaxRetries: number;
}

export interface ModelsConfig {
  /** The model when a request names none. */
  default: string;
  /** Models a request may name; empty: any valid name. */
  allowlist: string[];
  /** MODEL_ALIASES: model names other APIs' clients send (gpt-4o, …) and the model of ours that serves each, for the /v1 routes. */
  aliases: Record<string, string>;
}

/** One Claude login: a config directory the CLI reads its credentials from, and its label. */
export interface LoginConfig {
  label: string;
  dir: string;
}

/** One-shot runs: the queue, the warm pool, what a run may use. */
export interface RunsConfig {
  /** How long a background run's answer and events are kept after it ends. */
  resultTtlSecs: number;
  /** Runs executing at once, and runs allowed to wait for a slot beyond those. */
  maxConcurrent: number;
  queueMax: number;
  /** Runs one token may have waiting for a slot, so one app cannot fill the queue for all. */
  queueMaxPerToken: number;
  /** Cap on a run's or a turn's stdout (and separately stderr); past it the child is stopped. */
  outputMaxBytes: number;
  /** Warm claude processes kept ready per run configuration; 0 turns the pool off. */
  warmPool: number;
  /** A run configuration keeps its spares this long after its last use. */
  warmPoolKeyTtlSecs: number;
  /** Warm spares in total, all configurations together (each claude holds about 200 MB). */
  warmPoolMax: number;
  /** A spare waiting longer is replaced, so a new login or an upgraded CLI is picked up. */
  warmPoolMaxIdleSecs: number;
  /** Tools a one-shot run may use: none, or read-only tools confined to the run's directory. */
  tools: 'none' | 'read-only';
  /** Largest total of files attached to one run (the model API takes about 32 MB per request, base64 included). */
  attachmentsMaxBytes: number;
}

/** The client's own tools on the /v1 routes: runs waiting for tool results ("parked"). */
export interface ToolsConfig {
  /** How long a run waits for the client's tool results before it is ended and billed. */
  parkSecs: number;
  /** Runs with client tools alive at once (running or parked), all tokens together, and per token. */
  runsMax: number;
  runsMaxPerToken: number;
}

/** Idempotency-Keys on the POSTs that start paid work or create state. */
export interface IdempotencyConfig {
  /** How long a key is held, and the answer kept for it, after its first request. */
  ttlSecs: number;
}

/** Multi-turn agent sessions through acpx. */
export interface SessionsConfig {
  /** Idle time before a session is soft-closed, and time after close before its row goes. */
  ttlSecs: number;
  hardTtlSecs: number;
  /** Agent names POST /sessions accepts. */
  agents: string[];
  /** Raw ACP agent commands (acpx --agent) for some names; others use acpx's built-in agent of that name. */
  agentCommands: Record<string, string>;
  /** How acpx answers an agent's permission requests. */
  permissions: 'approve-reads' | 'approve-all' | 'deny-all';
  /** The loudly named opt-out: lets approve-all run without an OS sandbox around the agent's shell. */
  allowUnsandboxedAgents: boolean;
  /** Open sessions allowed at once, all tokens together (each keeps an agent process alive), and per token. */
  maxOpen: number;
  maxOpenPerToken: number;
  /** Keep a spare `acpx prompt` client per open session, waiting for the next turn's prompt. */
  warmClients: boolean;
}

/** Uploads. */
export interface FilesConfig {
  /** Largest upload accepted by POST /files. */
  maxBytes: number;
  /** Live files one token may hold, and their total size. */
  maxPerToken: number;
  maxTotalBytesPerToken: number;
}

export interface SweeperConfig {
  intervalSecs: number;
  /** Audit rows older than this many days are deleted by the sweeper; 0 keeps them forever. */
  auditRetentionDays: number;
}

/**
 * The validated configuration, read once at boot, by area (one loader each, in ./groups). Injected
 * by its class; tests override it with `loadConfig({...})`.
 */
export class AppConfig {
  server: ServerConfig;
  paths: PathsConfig;
  database: DatabaseConfig;
  cluster: ClusterConfig;
  clis: ClisConfig;
  models: ModelsConfig;
  /** The Claude logins runs are spread over (CLAUDE_CONFIG_DIRS), or the one login (CLAUDE_CONFIG_DIR, else ~/.claude). */
  logins: LoginConfig[];
  runs: RunsConfig;
  tools: ToolsConfig;
  idempotency: IdempotencyConfig;
  sessions: SessionsConfig;
  files: FilesConfig;
  sweeper: SweeperConfig;
  /** Settings that are valid but unusual, for the log at start-up. */
  warnings: string[];
}
