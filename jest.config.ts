import type { Config } from 'jest';
import { e2e } from './jest.e2e.config';
import { medium } from './jest.medium.config';
import { unit } from './jest.unit.config';

/**
 * Every tier at once, each spec in the tier its file name says: `npx jest <file>` runs any spec
 * with its tier's settings. The tiers one by one: `npm run test:unit`, `test:medium`, `test:e2e`,
 * `test:postgres` (jest.postgres.config.ts); `npm test` runs them all (scripts/test/run-all.mjs).
 *
 *   x.spec.ts          unit, beside the code        jest.unit.config.ts
 *   x.medium-spec.ts   medium, beside the code      jest.medium.config.ts
 *   x.e2e-spec.ts      end to end, in test/         jest.e2e.config.ts
 */
const config: Config = {
  projects: [unit, medium, e2e],
  maxWorkers: 2,
};

export default config;
