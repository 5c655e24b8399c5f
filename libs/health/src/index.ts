export * from './cli-versions.service';
export * from './health.module';
