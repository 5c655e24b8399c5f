import * as fs from 'node:fs';
import { isLoopback, parseAddress } from '../../net/cidr-list';
import type { ServerConfig } from '../app-config';
import { ConfigError } from '../config-error';
import { cidrs, Env, integer, oneOf, text } from '../env-readers';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MIN_ADMIN_TOKEN_LENGTH = 24;

/** PORT, HOST, ADMIN_BOOTSTRAP_TOKEN(_FILE), ALLOW_CIDRS, TRUST_PROXY, LOG_LEVEL, SHUTDOWN_GRACE_SECS, HEALTH_PROBE_INTERVAL_SECS, METRICS_TOKEN. */
export function loadServerConfig(env: Env, adminTokenRequired: boolean): ServerConfig {
  const host = text(env, 'HOST') ?? '0.0.0.0';
  return {
    port: integer(env, 'PORT', 8800, 0, 65535),
    host,
    adminToken: adminToken(env, adminTokenRequired),
    allowCidrs: cidrs(env, 'ALLOW_CIDRS'),
    trustProxy: trustProxy(env, host),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    shutdownGraceSecs: integer(env, 'SHUTDOWN_GRACE_SECS', 30, 0, 3600),
    healthProbeIntervalSecs: integer(env, 'HEALTH_PROBE_INTERVAL_SECS', 60, 1, 86400),
    metricsToken: metricsToken(env),
  };
}

/**
 * A hop count trusts whoever connects to name the client, so it is taken only when the listener is
 * loopback (a proxy on the same host is the only one that can reach it); otherwise the proxies'
 * addresses or CIDRs must be named.
 */
function trustProxy(env: Env, host: string): ServerConfig['trustProxy'] {
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

function metricsToken(env: Env): string | null {
  const value = text(env, 'METRICS_TOKEN');
  if (value === undefined) return null;
  if (value.length < 16 || /\s/.test(value)) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters, without whitespace');
  return value;
}

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
