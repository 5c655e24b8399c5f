import * as fs from 'node:fs';
import * as path from 'node:path';
import { TypeOrmModuleOptions } from '@nestjs/typeorm';
import * as sqlite3 from 'sqlite3';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';
import { POSTGRES_MIGRATIONS } from './postgres';

/** Any number, the same in every instance: the advisory lock two instances starting together take turns on. */
const MIGRATION_LOCK = 0x636c6177;

/**
 * PostgreSQL when DATABASE_URL says so; else SQLite in WAL mode with a busy timeout, so the
 * server and the admin CLI can share the file. Migrations run in migrate(), not at initialize().
 */
export function dataSourceOptions(config: AppConfig): TypeOrmModuleOptions {
  const common = { synchronize: false, autoLoadEntities: true, logging: false, migrationsRun: false } as const;
  if (config.database.url !== null) {
    return { ...common, type: 'postgres', url: config.database.url, migrations: POSTGRES_MIGRATIONS, applicationName: 'clawdforge' };
  }
  fs.mkdirSync(path.dirname(config.database.path), { recursive: true });
  return {
    ...common,
    type: 'sqlite',
    // TypeORM always calls verbose(), which captures a stack trace on every query; answer with the
    // plain driver (errors still carry their SQLite message).
    driver: { ...sqlite3, verbose: () => sqlite3 },
    database: config.database.path,
    enableWAL: true,
    busyTimeout: 5000,
    migrations: MIGRATIONS,
  };
}

/**
 * Opens the database and brings its schema up to date, each migration in its own transaction. On
 * PostgreSQL under an advisory lock, so instances starting together migrate one after the other.
 */
export async function openDatabase(options: DataSourceOptions): Promise<DataSource> {
  const db = await new DataSource(options).initialize();
  if (db.options.type !== 'postgres') {
    await db.runMigrations({ transaction: 'each' });
    return db;
  }
  const lock = db.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await db.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
  return db;
}

/** `?` placeholders as the database wants them: PostgreSQL numbers them ($1, $2, …). */
export function dialectSql(db: DataSource, sql: string): string {
  if (db.options.type !== 'postgres') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
