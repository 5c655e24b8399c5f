import type { Config } from 'jest';
import { shared } from './jest.shared';

/**
 * Medium tier (`npm run test:medium`): `*.medium-spec.ts` beside the code. A library's pieces with
 * what they really reach: a Nest testing module with real repositories on a real SQLite file, the
 * real filesystem, real child processes (of fake CLIs, or of node) where starting them is the
 * subject; no HTTP server of the app and no build.
 */
export const medium: Config = {
  ...shared,
  displayName: 'medium',
  testMatch: ['<rootDir>/libs/**/*.medium-spec.ts', '<rootDir>/apps/**/*.medium-spec.ts'],
  testTimeout: 30_000,
  setupFilesAfterEnv: ['<rootDir>/test/support/slow-tier.ts'],
};

const config: Config = { ...medium, maxWorkers: 2 };

export default config;
