import * as fs from 'node:fs';
import * as path from 'node:path';
import { TypeOrmModuleOptions } from '@nestjs/typeorm';
import * as sqlite3 from 'sqlite3';
import { AppConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';

/** SQLite in WAL mode with a busy timeout, so the server and the admin CLI can share the file. */
export function dataSourceOptions(config: AppConfig): TypeOrmModuleOptions {
  fs.mkdirSync(path.dirname(config.databasePath), { recursive: true });
  return {
    type: 'sqlite',
    // TypeORM always calls verbose(), which captures a stack trace on every query; answer with the
    // plain driver (errors still carry their SQLite message).
    driver: { ...sqlite3, verbose: () => sqlite3 },
    database: config.databasePath,
    enableWAL: true,
    busyTimeout: 5000,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    autoLoadEntities: true,
    logging: false,
  };
}
