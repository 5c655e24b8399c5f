export * from './cluster-link';
export * from './cluster.module';
export * from './forward-request';
export * from './instance-identity';
export * from './instance-registry';
export * from './owner-forwarder';
