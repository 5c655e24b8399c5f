import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort } from './test-env';

export interface Postgres {
  /** postgres:// URL of the cluster, without a database name. */
  url: string;
  /** postgres:// URL of a fresh, empty database of its own. */
  freshDatabase(): Promise<string>;
  stop(): void;
}

/** Debian's PostgreSQL server binaries (package postgresql), newest version first. */
function serverBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'pg_ctl')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], 'bin') : null;
}

export function postgresAvailable(): boolean {
  return serverBin() !== null;
}

/**
 * A throwaway PostgreSQL cluster in a temp directory on a free loopback port, trust auth for its
 * one user. PostgreSQL refuses to run as root: as root (CI), it runs as the `postgres` user.
 */
export async function startPostgres(): Promise<Postgres> {
  const bin = serverBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  fs.chmodSync(dir, 0o755);
  const run = (tool: string, args: string[]) => {
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'clawdforge', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  const admin = `postgres://clawdforge@127.0.0.1:${port}`;
  return {
    url: admin,
    freshDatabase: async () => {
      const name = `cf_${randomBytes(6).toString('hex')}`;
      const client = new Client({ connectionString: `${admin}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `${admin}/${name}`;
    },
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Set by the PostgreSQL pass's global set-up: the cluster every spec of that pass shares. */
export const SHARED_CLUSTER_ENV = 'CLAWDFORGE_TEST_POSTGRES';

/**
 * In the PostgreSQL pass (`npm run test:postgres`), the DATABASE_URL of the database that belongs
 * to `dataDir`, created on first use: an app restarted on the same DATA_DIR finds its state again,
 * as it would in its SQLite file. Outside that pass, nothing: the app keeps its SQLite file.
 */
export async function sharedClusterDatabase(dataDir: string): Promise<Record<string, string>> {
  const cluster = process.env[SHARED_CLUSTER_ENV];
  if (!cluster) return {};
  const name = `cf_${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
  const client = new Client({ connectionString: `${cluster}/postgres` });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') throw error; // duplicate_database: a restart
  } finally {
    await client.end();
  }
  return { DATABASE_URL: `${cluster}/${name}` };
}
