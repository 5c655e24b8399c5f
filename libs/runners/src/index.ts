export * from './child-env';
export * from './child-process-runner';
export * from './cli-not-found.error';
export * from './process-runner';
export * from './runners.module';
