export * from './compat.module';
export * from './model-catalog';
export * from './transcript';
export * from './compat-json-body.middleware';
