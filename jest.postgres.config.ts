import type { Config } from 'jest';
import { e2e } from './jest.e2e.config';

/**
 * The end-to-end specs whose subject is what the app keeps, run again with every app's state in
 * PostgreSQL: what differs between the two databases is the repositories' SQL, their migrations and
 * their locks, so the specs that write and read that state run on both, and the specs of anything
 * else (HTTP parsing, the command layer, the CLIs' own state directories, the clients, the process)
 * run once, on SQLite.
 */
const ON_POSTGRES = [
  // Tokens, their limits and CIDRs, and the admin CLI that mints them.
  'admin-tokens',
  'ip-allowlist',
  'cli',
  // The audit log and the usage ledger, budgets and the holds on them, rates, the counts /metrics reads.
  'audit',
  'budgets',
  'policy',
  'run',
  'metrics',
  // Stored files, quotas and uploads in flight.
  'files',
  'files-hardening',
  'upload-admission',
  // The sessions' ledger: turns, caps, and the logins' cooling shared through it.
  'sessions',
  'caps',
  'logins',
  // State across a restart and a crash, the database's health, and hostile input stored as text.
  'persistence',
  'faults',
  'health',
  'hostile-inputs',
  // Idempotency-Keys and the answers kept for them; background runs, their answers and events.
  'idempotency',
  'background-runs',
];

const config: Config = {
  ...e2e,
  displayName: 'e2e-postgres',
  maxWorkers: 2,
  testMatch: ON_POSTGRES.map((name) => `<rootDir>/test/${name}.e2e-spec.ts`),
  globalSetup: '<rootDir>/test/support/postgres-setup.ts',
  globalTeardown: '<rootDir>/test/support/postgres-teardown.ts',
};

export default config;
