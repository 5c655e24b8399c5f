// Fakes and builders for specs of any library: `@clawdforge/core/testing`. Never imported by the
// server or the CLI (nest build leaves this directory out).
export * from './config';
export * from './manual-clock';
