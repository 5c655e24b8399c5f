import type { Config } from 'jest';
import base from './jest.config';

/**
 * The e2e suite again with every app's state in PostgreSQL (DATABASE_URL on a throwaway cluster
 * started once for the run). Left out: the specs whose subject is the CLI children themselves
 * (the agent sandbox, the real claude and acpx), which never touch the state differently, and the
 * PostgreSQL specs, which start clusters of their own.
 */
const config: Config = {
  ...base,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/confinement\\.', '/test/run-real-claude\\.', '/test/v1-real-claude\\.', '/test/sessions-real-claude\\.', '/test/postgres\\.', '/test/instances\\.'],
  globalSetup: '<rootDir>/test/support/postgres-setup.ts',
  globalTeardown: '<rootDir>/test/support/postgres-teardown.ts',
};

export default config;
