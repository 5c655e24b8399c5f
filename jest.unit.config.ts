import type { Config } from 'jest';
import { shared } from './jest.shared';

/**
 * Unit tier (`npm run test:unit`): `*.spec.ts` beside the code in libs/, apps/ and clients/typescript/. One class or
 * function and its rules, with fakes for what it reaches (`@clawdforge/<lib>/testing`): no build,
 * no server, no child process, no database, no network, so the whole tier runs in seconds.
 * test/support/unit-tier.ts makes a spec that starts a process or opens a database fail, naming
 * the tier it belongs in.
 */
export const unit: Config = {
  ...shared,
  displayName: 'unit',
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/clients/typescript/src/**/*.spec.ts'],
  setupFiles: ['<rootDir>/test/support/unit-tier.ts'],
  testTimeout: 5_000,
};

const config: Config = { ...unit, maxWorkers: 2 };

export default config;
