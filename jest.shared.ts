import type { Config } from 'jest';

/**
 * What every tier shares: TypeScript through SWC (decorators and their metadata, as Nest needs), and
 * the libraries by their names. A library is `@clawdforge/<lib>`, its fakes for specs
 * `@clawdforge/<lib>/testing`; the SDK writes its relative imports as ESM wants them (`./http.js`),
 * which here are the .ts sources.
 */
export const shared: Config = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    // The SDK is a published package beside the other clients, not a library of the server.
    '^@clawdforge/client$': '<rootDir>/clients/typescript/src',
    '^@clawdforge/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing',
    '^@clawdforge/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^(\\.{1,2}/.+)\\.js$': '$1',
  },
};
