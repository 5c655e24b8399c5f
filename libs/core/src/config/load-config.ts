import { AppConfig } from './app-config';
import { Env, SHORT_SWEEP_SECS } from './env-readers';
import { loadClisConfig, loadLoginsConfig, loadModelsConfig } from './groups/claude.config';
import { loadServerConfig } from './groups/server.config';
import { loadClusterConfig, loadDatabaseConfig, loadPathsConfig } from './groups/storage.config';
import { loadFilesConfig, loadIdempotencyConfig, loadRunsConfig, loadSessionsConfig, loadSweeperConfig, loadToolsConfig } from './groups/work.config';

export interface LoadConfigOptions {
  /** The server needs ADMIN_BOOTSTRAP_TOKEN; the admin CLI works on the database directly and does not. */
  adminTokenRequired?: boolean;
}

/** Reads and validates every variable, one loader per area; throws ConfigError naming the first bad one. */
export function loadConfig(env: Env, cwd = process.cwd(), options: LoadConfigOptions = {}): AppConfig {
  const short: string[] = [];
  const server = loadServerConfig(env, options.adminTokenRequired ?? true);
  const paths = loadPathsConfig(env, cwd);
  // The sweeper's period first: the warning lists short settings in the order they are read.
  const sweeper = loadSweeperConfig(env, short);
  const config = Object.assign(new AppConfig(), {
    server,
    paths,
    database: loadDatabaseConfig(env, cwd, paths.dataDir),
    cluster: loadClusterConfig(env),
    clis: loadClisConfig(env),
    models: loadModelsConfig(env),
    logins: loadLoginsConfig(env, cwd),
    runs: loadRunsConfig(env),
    tools: loadToolsConfig(env),
    idempotency: loadIdempotencyConfig(env),
    sessions: loadSessionsConfig(env, short),
    files: loadFilesConfig(env),
    sweeper,
    warnings: [] as string[],
  });
  if (short.length > 0) config.warnings.push(`sweeper settings under ${SHORT_SWEEP_SECS} s (${short.join(', ')}): fine for watching the sweeper work, too eager for production`);
  return config;
}
