export * from './sweeper.module';
export * from './sweeper.service';
