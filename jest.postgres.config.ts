import type { Config } from 'jest';
import { e2e } from './jest.e2e.config';

/** Left out of the PostgreSQL pass, each for a reason: what they test reads and writes no state differently there. */
const LEFT_OUT = [
  // They start PostgreSQL clusters of their own.
  'postgres',
  'instances',
  // Their subject is the CLI children themselves: the agent sandbox, the real claude, acpx and adapter.
  'confinement',
  'run-real-claude',
  'v1-real-claude',
  'sessions-real-claude',
  // Their subject is the process: signals, npm start, the agent's output stream, log redaction, the
  // login probe, the admin CLI's output as it follows the log.
  'shutdown',
  'server-process',
  'session-drain',
  'hostile-agent-output',
  'secrets',
  'login-health',
  'cli-audit-follow',
  // The rows and log lines a flood from outside leaves, read from the SQLite file after the process exits.
  'refusal-flood',
  // Their subject is the API's description and the clients built on it: the OpenAPI document, Swagger
  // UI, the SDK's types and package, the Python module, the README's snippets.
  'openapi',
  'swagger-ui',
  'sdk-drift',
  'client-package',
  'docs',
  'python-client',
  'readme-snippets',
];

/**
 * The end-to-end specs again with every app's state in PostgreSQL (DATABASE_URL on a throwaway
 * cluster started once for the run, a database per DATA_DIR): tokens, audit, usage and budgets,
 * files and quotas, the session ledger and its caps, restarts, the admin CLI, hostile input.
 */
const config: Config = {
  ...e2e,
  displayName: 'e2e-postgres',
  maxWorkers: 2,
  testPathIgnorePatterns: ['/node_modules/', ...LEFT_OUT.map((name) => `/test/${name}\\.e2e-spec\\.ts$`)],
  globalSetup: '<rootDir>/test/support/postgres-setup.ts',
  globalTeardown: '<rootDir>/test/support/postgres-teardown.ts',
};

export default config;
