/**
 * The validated configuration, read once at boot. Injected by its class; tests override it
 * with `loadConfig({...})`.
 */
export class AppConfig {
  port: number;
  host: string;
  /** The admin bearer; null only where it is not needed (the admin CLI). */
  adminToken: string | null;
  /** Global allowlist beyond loopback, canonical CIDR text. */
  allowCidrs: string[];
  /** Express `trust proxy`: false, a hop count, or the proxies' addresses/CIDRs. */
  trustProxy: false | number | string[];
  dataDir: string;
  databasePath: string;
  filesDir: string;
  runsDir: string;
  acpxSessionsCwd: string;
  claudeBin: string;
  acpxBin: string;
  /** The Claude ACP adapter acpx starts for the `claude` agent; null when none is installed (acpx's built-in agent then). */
  claudeAcpBin: string | null;
  defaultModel: string;
  modelAllowlist: string[];
  /** MODEL_ALIASES: model names other APIs' clients send (gpt-4o, …) and the model of ours that serves each, for the /v1 routes. */
  modelAliases: Record<string, string>;
  sweepIntervalSecs: number;
  sessionTtlSecs: number;
  sessionHardTtlSecs: number;
  logLevel: string;
  /** How long SIGTERM waits for in-flight requests before closing them. */
  shutdownGraceSecs: number;
  /** How often /healthz's cached CLI versions are refreshed in the background. */
  healthProbeIntervalSecs: number;
  /** Runs executing at once, and runs allowed to wait for a slot beyond those. */
  maxConcurrentRuns: number;
  runQueueMax: number;
  /** Runs one token may have waiting for a slot, so one app cannot fill the queue for all. */
  runQueueMaxPerToken: number;
  /** Cap on a run's stdout (and separately stderr); past it the run is killed. */
  runOutputMaxBytes: number;
  /** Warm claude processes kept ready per run configuration; 0 turns the pool off. */
  runWarmPool: number;
  /** A run configuration keeps its spares this long after its last use. */
  runWarmPoolKeyTtlSecs: number;
  /** Warm spares in total, all configurations together (each claude holds about 200 MB). */
  runWarmPoolMax: number;
  /** A spare waiting longer is replaced, so a new login or an upgraded CLI is picked up. */
  runWarmPoolMaxIdleSecs: number;
  /** Upstream retries the claude CLI may make per run (its own default retries for minutes). */
  claudeMaxRetries: number;
  /** Tools a one-shot run may use: none, or read-only tools confined to the run's directory. */
  runTools: 'none' | 'read-only';
  /** The claude login's config directory (CLAUDE_CONFIG_DIR, else ~/.claude): credentials and transcripts, never an agent's to read. */
  claudeConfigDir: string;
  /** postgres://… to keep state in PostgreSQL (several instances may share it); null: SQLite at databasePath. */
  databaseUrl: string | null;
  /** Runs at once across every instance on the PostgreSQL database (advisory locks); null: no bound beyond each instance's own. */
  maxConcurrentRunsGlobal: number | null;
  /** The URL the other instances reach this one at (sessions' turns are forwarded there); null: its own address and port. */
  instanceUrl: string | null;
  /** The Claude logins runs are spread over (CLAUDE_CONFIG_DIRS), the first being claudeConfigDir; sessions use the first. */
  claudeLogins: { label: string; dir: string }[];
  /** The loudly named opt-out: lets SESSION_PERMISSIONS=approve-all run without an OS sandbox around the agent's shell. */
  allowUnsandboxedAgents: boolean;
  /** Agent names POST /sessions accepts. */
  sessionAgents: string[];
  /** Raw ACP agent commands (acpx --agent) for some names; others use acpx's built-in agent of that name. */
  sessionAgentCommands: Record<string, string>;
  /** How acpx answers an agent's permission requests. */
  sessionPermissions: 'approve-reads' | 'approve-all' | 'deny-all';
  /** HOME for acpx children: acpx keeps its session state in $HOME/.acpx. */
  acpxHome: string;
  /**
   * Claude Code's own state (settings, transcripts, caches) of each run and session, one private
   * directory each ($DATA_DIR/claude-state); the login's directory holds only its credentials.
   */
  claudeStateDir: string;
  /** Open sessions allowed at once, all tokens together (each keeps an agent process alive). */
  sessionsMaxOpen: number;
  /** Keep a spare `acpx prompt` client per open session, waiting for the next turn's prompt. */
  sessionWarmClients: boolean;
  /** Open sessions one token may hold. */
  sessionsMaxOpenPerToken: number;
  /** Live files one token may hold, and their total size. */
  filesMaxPerToken: number;
  filesMaxTotalBytesPerToken: number;
  /** Audit rows older than this many days are deleted by the sweeper; 0 keeps them forever. */
  auditRetentionDays: number;
  /** When set, GET /metrics also needs `Authorization: Bearer` with it. */
  metricsToken: string | null;
  /** Largest upload accepted by POST /files. */
  filesMaxBytes: number;
  /** Largest total of files attached to one run (the model API takes about 32 MB per request, base64 included). */
  runAttachmentsMaxBytes: number;
  /** Settings that are valid but unusual, for the log at start-up. */
  warnings: string[];
}
