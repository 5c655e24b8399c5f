import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

/** What sqlite3 hands back for a prepared statement. */
interface PreparedStatement {
  all(params: unknown[], done: (error: Error | null, rows: Record<string, unknown>[]) => void): void;
  finalize(done?: () => void): void;
}

interface SqliteConnection {
  prepare(sql: string, done: (error: Error | null) => void): PreparedStatement;
}

/** A batch past this many rows is written as several statements (SQLite allows 32 766 parameters). */
const MAX_PARAMETERS = 30_000;

/**
 * The statements on the path of every request (the audit batch, a token's sessions), written once
 * as SQL instead of built by TypeORM's query builder, whose work per query (composing the SQL,
 * then rewriting its aliases) cost more than the query. Rows go in and come out through the same
 * value conversions and transformers TypeORM applies, so either way reads what the other wrote.
 * On SQLite a select is also prepared once and kept: sqlite3 prepares every query anew otherwise.
 *
 * SQL is written with `?` placeholders and turned into `$1…` for PostgreSQL; names in it are the
 * columns' database names.
 */
@Injectable()
export class HotStatements implements BeforeApplicationShutdown {
  private readonly prepared = new Map<string, PreparedStatement>();
  private readonly selects = new Map<string, string>();
  private readonly sqlite: boolean;
  private finalized = false;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sqlite = db.options.type === 'sqlite';
  }

  /** `SELECT` of every column of the entity's table, then `rest` (WHERE, ORDER BY, LIMIT); the rows as entities. */
  async select<T extends ObjectLiteral>(target: EntityTarget<T>, rest: string, params: unknown[]): Promise<T[]> {
    const metadata = this.db.getMetadata(target);
    const key = `${metadata.tableName} ${rest}`;
    let sql = this.selects.get(key);
    if (sql === undefined) {
      sql = this.dialect(`SELECT ${this.columns(metadata.columns.map((column) => column.databaseName))} FROM ${this.db.driver.escape(metadata.tableName)} ${rest}`);
      this.selects.set(key, sql);
    }
    const rows = await this.all(sql, params);
    return rows.map((row) => this.hydrate<T>(metadata, row));
  }

  /** One INSERT for many rows (several past the parameter limit); generated columns are left to the database. */
  async insert<T extends ObjectLiteral>(target: EntityTarget<T>, rows: T[]): Promise<void> {
    if (rows.length === 0) return;
    const metadata = this.db.getMetadata(target);
    const columns = metadata.columns.filter((column) => !column.isGenerated);
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    const head = `INSERT INTO ${this.db.driver.escape(metadata.tableName)} (${this.columns(columns.map((column) => column.databaseName))}) VALUES `;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const sql = head + chunk.map(() => tuple).join(', ');
      const params: unknown[] = [];
      for (const row of chunk) for (const column of columns) params.push(this.db.driver.preparePersistentValue(column.getEntityValue(row), column));
      await this.db.query(this.dialect(sql), params);
    }
  }

  beforeApplicationShutdown(): void {
    // The database cannot close while a statement is open.
    this.finalized = true;
    for (const statement of this.prepared.values()) statement.finalize();
    this.prepared.clear();
  }

  private all(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    if (!this.sqlite || this.finalized) return this.db.query(sql, params);
    let statement = this.prepared.get(sql);
    if (!statement) {
      const connection = (this.db.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
      statement = connection.prepare(sql, () => undefined);
      this.prepared.set(sql, statement);
    }
    const prepared = statement;
    return new Promise((resolve, reject) => prepared.all(params, (error, rows) => (error ? reject(error) : resolve(rows))));
  }

  private hydrate<T extends ObjectLiteral>(metadata: EntityMetadata, row: Record<string, unknown>): T {
    const entity = metadata.create() as T;
    for (const column of metadata.columns) column.setEntityValue(entity, this.db.driver.prepareHydratedValue(row[column.databaseName], column));
    return entity;
  }

  private columns(names: string[]): string {
    return names.map((name) => this.db.driver.escape(name)).join(', ');
  }

  private dialect(sql: string): string {
    if (this.sqlite) return sql;
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  }
}
