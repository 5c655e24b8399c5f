import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DataSourceOptions } from 'typeorm';
import { dataSourceOptions, openDatabase } from './data-source-options';
import { SqliteTuning } from './sqlite-tuning';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: dataSourceOptions,
      dataSourceFactory: (options) => openDatabase(options as DataSourceOptions),
    }),
  ],
  providers: [SqliteTuning],
})
export class DatabaseModule {}
