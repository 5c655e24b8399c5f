export * from './clawdforge.js';
export * from './errors.js';
export type { RetryOptions } from './http.js';
export * from './session.js';
export * from './turn-result.js';
export * from './types.js';
