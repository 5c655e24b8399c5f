import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DataSourceOptions } from 'typeorm';
import { DatabaseProbe } from './database-probe';
import { dataSourceOptions, openDatabase } from './data-source-options';
import { HotStatements } from './hot-statements';
import { SqliteTuning } from './sqlite-tuning';
import { ClusterLink } from '../cluster/cluster-link';
import { InstanceRegistry } from '../cluster/instance-registry';

/** The database, and what instances sharing a PostgreSQL one coordinate through (available everywhere). */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: dataSourceOptions,
      dataSourceFactory: (options) => openDatabase(options as DataSourceOptions),
    }),
  ],
  providers: [SqliteTuning, HotStatements, DatabaseProbe, ClusterLink, InstanceRegistry],
  exports: [HotStatements, DatabaseProbe, ClusterLink, InstanceRegistry],
})
export class DatabaseModule {}
