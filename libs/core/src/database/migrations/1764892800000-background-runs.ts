import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Background runs (`POST /run` with `"background": true`): each run's state and, once it ends, the
 * answer a plain /run would have given; and its events in order, for a stream that is resumed. The
 * same SQL on SQLite and PostgreSQL but for the row id's type.
 */
export class BackgroundRuns1764892800000 implements MigrationInterface {
  name = 'BackgroundRuns1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = queryRunner.connection.options.type === 'postgres' ? '"id" serial PRIMARY KEY' : '"id" integer PRIMARY KEY AUTOINCREMENT NOT NULL';
    await queryRunner.query(`
      CREATE TABLE "background_runs" (
        ${id},
        "run_id" text NOT NULL UNIQUE,
        "token_id" integer NOT NULL,
        "instance_id" text NOT NULL,
        "status" text NOT NULL,
        "request" text NOT NULL,
        "http_status" integer,
        "answer" text,
        "created_at" text NOT NULL,
        "started_at" text,
        "finished_at" text,
        "expires_at" text
      )`);
    await queryRunner.query(`CREATE INDEX "background_runs_token" ON "background_runs" ("token_id", "id")`);
    await queryRunner.query(`CREATE INDEX "background_runs_expires_at" ON "background_runs" ("expires_at")`);
    await queryRunner.query(`
      CREATE TABLE "background_run_events" (
        "run_id" text NOT NULL,
        "seq" integer NOT NULL,
        "event" text NOT NULL,
        "data" text NOT NULL,
        PRIMARY KEY ("run_id", "seq")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "background_run_events"`);
    await queryRunner.query(`DROP TABLE "background_runs"`);
  }
}
