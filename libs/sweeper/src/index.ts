export * from './sweeper.module';
export * from './sweeper.service';
export * from './sweep.schedule';
export * from './startup-reconciliation';
