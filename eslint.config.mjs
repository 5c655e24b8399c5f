import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A library is reached through its entry, `@clawdforge/<lib>` (or its `/testing` entry in specs), never by a path into it. */
const LIBRARY_BOUNDARIES = {
  patterns: [
    {
      regex: '^@clawdforge/[a-z-]+/(?!testing$)',
      message: 'Import a library through its entry (@clawdforge/<lib>, or @clawdforge/<lib>/testing in specs), not a file inside it.',
    },
    {
      regex: '(^|/)libs/[a-z-]+/src(/|$)',
      message: 'Import a library as @clawdforge/<lib>, not by a path into libs/.',
    },
    {
      regex: '^(\\.\\./)+(admin|audit|auth|client|cluster|compat|console|core|files|health|metrics|run|runners|sessions|sweeper|usage)/src(/|$)',
      message: 'Import another library as @clawdforge/<lib>, not by a relative path into it.',
    },
  ],
};

/** Services and controllers hold rules; the database, the filesystem and processes are reached through adapters (STYLE.md). */
const RULES_ONLY = {
  paths: [
    { name: 'typeorm', message: 'Reach the database through a repository class (*.repository.ts).' },
    { name: '@nestjs/typeorm', message: 'Reach the database through a repository class (*.repository.ts).' },
    { name: 'node:fs', message: 'Reach the filesystem through an adapter (a workspace or store class).' },
    { name: 'node:fs/promises', message: 'Reach the filesystem through an adapter (a workspace or store class).' },
    { name: 'node:child_process', message: 'Start processes through ProcessRunner.' },
  ],
  patterns: LIBRARY_BOUNDARIES.patterns,
};

export default tseslint.config(
  { ignores: ['dist/', 'clients/*/dist/', 'clients/rust/target/', 'node_modules/', 'coverage/', 'data/', 'test/fixtures/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'clients/typescript/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', LIBRARY_BOUNDARIES] },
  },
  {
    // The console runs in the browser, not in Node.
    files: ['apps/console/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['libs/**/*.service.ts', 'libs/**/*.controller.ts', 'apps/**/*.service.ts', 'apps/**/*.controller.ts'],
    rules: { 'no-restricted-imports': ['error', RULES_ONLY] },
  },
  {
    // A promise nobody awaits, returns or marks with `void` is a failure nobody hears about.
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'clients/typescript/**/*.ts', 'test/**/*.ts'],
    ignores: ['test/fixtures/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
);
