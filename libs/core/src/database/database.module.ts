import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DataSourceOptions } from 'typeorm';
import { DatabaseProbe } from './database-probe';
import { dataSourceOptions, openDatabase } from './data-source-options';
import { HotStatements } from './hot-statements';
import { SqliteTuning } from './sqlite-tuning';

/** The database (available everywhere). */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: dataSourceOptions,
      dataSourceFactory: (options) => openDatabase(options as DataSourceOptions),
    }),
  ],
  providers: [SqliteTuning, HotStatements, DatabaseProbe],
  exports: [HotStatements, DatabaseProbe],
})
export class DatabaseModule {}
