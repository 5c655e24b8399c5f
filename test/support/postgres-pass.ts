import { Postgres, SHARED_CLUSTER_ENV, startPostgres } from './postgres';

/**
 * Global set-up and tear-down of the PostgreSQL pass: one throwaway cluster for the whole run,
 * its URL handed to the spec workers through the environment (each DATA_DIR gets a database).
 */
const holder = globalThis as { clawdforgePostgres?: Postgres };

export async function setUp(): Promise<void> {
  holder.clawdforgePostgres = await startPostgres();
  process.env[SHARED_CLUSTER_ENV] = holder.clawdforgePostgres.url;
}

export function tearDown(): void {
  holder.clawdforgePostgres?.stop();
}
