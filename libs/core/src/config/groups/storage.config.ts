import * as path from 'node:path';
import type { ClusterConfig, DatabaseConfig, PathsConfig } from '../app-config';
import { ConfigError } from '../config-error';
import { agentPath, Env, httpUrl, integer, text } from '../env-readers';

/** DATA_DIR and the directories under it (FILES_DIR, RUNS_DIR, ACPX_SESSIONS_CWD, ACPX_HOME). */
export function loadPathsConfig(env: Env, cwd: string): PathsConfig {
  const dataDir = path.resolve(cwd, text(env, 'DATA_DIR') ?? 'data');
  const dir = (name: string, fallback: string) => agentPath(name, path.resolve(cwd, text(env, name) ?? path.join(dataDir, fallback)));
  return {
    dataDir: agentPath('DATA_DIR', dataDir),
    filesDir: dir('FILES_DIR', 'files'),
    runsDir: dir('RUNS_DIR', 'runs'),
    sessionsCwd: dir('ACPX_SESSIONS_CWD', 'acpx-cwds'),
    acpxHome: dir('ACPX_HOME', 'acpx-home'),
    claudeStateDir: path.join(dataDir, 'claude-state'),
  };
}

/** DATABASE_PATH (SQLite, under DATA_DIR by default) or DATABASE_URL (PostgreSQL). */
export function loadDatabaseConfig(env: Env, cwd: string, dataDir: string): DatabaseConfig {
  return {
    path: agentPath('DATABASE_PATH', path.resolve(cwd, text(env, 'DATABASE_PATH') ?? path.join(dataDir, 'clawdforge.db'))),
    url: databaseUrl(env),
  };
}

/** MAX_CONCURRENT_RUNS_GLOBAL and INSTANCE_URL: settings of several instances, refused without DATABASE_URL rather than ignored. */
export function loadClusterConfig(env: Env): ClusterConfig {
  return {
    maxConcurrentRunsGlobal: clusterOnly(env, 'MAX_CONCURRENT_RUNS_GLOBAL', (name) => integer(env, name, 0, 1, 100_000)),
    instanceUrl: clusterOnly(env, 'INSTANCE_URL', (name) => httpUrl(env, name)),
  };
}

function clusterOnly<T>(env: Env, name: string, read: (name: string) => T): T | null {
  if (text(env, name) === undefined) return null;
  if (text(env, 'DATABASE_URL') === undefined) {
    throw new ConfigError(name, 'applies to several instances sharing one PostgreSQL: set DATABASE_URL too (with SQLite there is one instance)');
  }
  return read(name);
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
