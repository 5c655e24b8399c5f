export * from './console.module';
export * from './console-headers';
