// The medium and end-to-end tiers' 30 s per test, set where Jest reads it for each spec file: a
// project's own testTimeout is a global option Jest drops when the tiers run as projects of
// jest.config.ts (`npx jest <file>`), which left those specs at the default 5 s.
jest.setTimeout(30_000);
