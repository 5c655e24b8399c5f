export * from './compat.module';
export * from './model-catalog';
export * from './transcript';
