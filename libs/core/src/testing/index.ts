// Fakes and builders for specs of any library: `@clawdforge/core/testing`. Never imported by the
// server or the CLI (nest build leaves this directory out).
export * from './config';
export * from './manual-clock';

/**
 * A class's public members: what an in-memory stand-in for a repository implements, so the type
 * checker holds it to the repository's methods as they change (a class with private members cannot
 * be implemented as it is).
 */
export type PublicSurface<T> = { [K in keyof T]: T[K] };
