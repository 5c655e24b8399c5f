import type { Config } from 'jest';
import { shared } from './jest.shared';

/**
 * End-to-end tier (`npm run test:e2e`): test/*.e2e-spec.ts. The whole app over HTTP, the built
 * server as `npm start` runs it, the admin CLI, the real pinned CLIs against the fake model API,
 * the clients built on the API: what needs the process, the CLIs or HTTP. Needs `npm run build`.
 */
export const e2e: Config = {
  ...shared,
  displayName: 'e2e',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 30_000,
  setupFilesAfterEnv: ['<rootDir>/test/support/slow-tier.ts'],
};

const config: Config = { ...e2e, maxWorkers: 2 };

export default config;
