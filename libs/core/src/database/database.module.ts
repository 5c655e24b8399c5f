import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { SqliteTuning } from './sqlite-tuning';

@Module({
  imports: [TypeOrmModule.forRootAsync({ inject: [AppConfig], useFactory: dataSourceOptions })],
  providers: [SqliteTuning],
})
export class DatabaseModule {}
