export * from './claude-login';
export * from './cli-versions.service';
export * from './health.module';
