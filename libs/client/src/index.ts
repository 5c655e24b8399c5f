export * from './clawdforge';
export * from './errors';
export type { RetryOptions } from './http';
export * from './session';
export * from './turn-result';
export * from './types';
