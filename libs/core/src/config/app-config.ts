/**
 * The validated configuration, read once at boot. Injected by its class; tests override it
 * with `loadConfig({...})`.
 */
export class AppConfig {
  port: number;
  host: string;
  adminToken: string;
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
  defaultModel: string;
  modelAllowlist: string[];
  sweepIntervalSecs: number;
  sessionTtlSecs: number;
  sessionHardTtlSecs: number;
  logLevel: string;
  /** How long SIGTERM waits for in-flight requests before closing them. */
  shutdownGraceSecs: number;
  /** How often /healthz's cached CLI versions are refreshed in the background. */
  healthProbeIntervalSecs: number;
}
