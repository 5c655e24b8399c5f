import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole schema on PostgreSQL as the SQLite migrations leave it, in one step: a PostgreSQL
 * database starts at this point. Timestamps stay ISO-8601 UTC text as on SQLite, so they sort and
 * compare the same in both; dollars are double precision.
 */
export class PostgresSchema1764374400000 implements MigrationInterface {
  name = 'PostgresSchema1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "app_tokens" (
        "id" serial PRIMARY KEY,
        "name" text NOT NULL,
        "token_hash" text NOT NULL CONSTRAINT "UQ_app_tokens_token_hash" UNIQUE,
        "ip_cidrs" text,
        "created_at" text NOT NULL,
        "last_used_at" text,
        "revoked_at" text,
        "models" text,
        "max_concurrent_runs" integer,
        "runs_per_minute" integer,
        "budget_usd_day" double precision,
        "budget_usd_month" double precision
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_app_tokens_live_name" ON "app_tokens" ("name") WHERE "revoked_at" IS NULL`);
    await queryRunner.query(`
      CREATE TABLE "audit_events" (
        "id" serial PRIMARY KEY,
        "at" text NOT NULL,
        "request_id" text,
        "token_name" text,
        "client_ip" text,
        "method" text NOT NULL,
        "route" text NOT NULL,
        "status" integer NOT NULL,
        "duration_ms" integer NOT NULL,
        "error_code" text,
        "model" text,
        "prompt_chars" integer,
        "response_chars" integer,
        "input_tokens" integer,
        "output_tokens" integer,
        "cost_usd" double precision,
        "session_id" text,
        "turn_index" integer,
        "queue_ms" integer,
        "tools_refused" integer
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_token_name" ON "audit_events" ("token_name", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_route" ON "audit_events" ("route", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_at" ON "audit_events" ("at")`);
    await queryRunner.query(`
      CREATE TABLE "stored_files" (
        "id" serial PRIMARY KEY,
        "file_token" text NOT NULL CONSTRAINT "UQ_stored_files_file_token" UNIQUE,
        "owner_token_id" integer NOT NULL,
        "original_name" text NOT NULL,
        "media_type" text NOT NULL,
        "size" integer NOT NULL,
        "sha256" text NOT NULL,
        "storage_name" text NOT NULL CONSTRAINT "UQ_stored_files_storage_name" UNIQUE,
        "created_at" text NOT NULL,
        "expires_at" text NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_stored_files_owner" ON "stored_files" ("owner_token_id", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_stored_files_expires_at" ON "stored_files" ("expires_at")`);
    await queryRunner.query(`
      CREATE TABLE "agent_sessions" (
        "seq" serial PRIMARY KEY,
        "id" text NOT NULL CONSTRAINT "UQ_agent_sessions_id" UNIQUE,
        "owner_token_id" integer NOT NULL,
        "agent" text NOT NULL,
        "model" text NOT NULL,
        "system_prompt" text,
        "cwd" text NOT NULL,
        "status" text NOT NULL,
        "busy" boolean NOT NULL DEFAULT false,
        "turn_count" integer NOT NULL DEFAULT 0,
        "created_at" text NOT NULL,
        "last_activity_at" text NOT NULL,
        "closed_at" text,
        "agent_cost_usd" double precision,
        "claude_login" text
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_agent_sessions_owner" ON "agent_sessions" ("owner_token_id", "seq")`);
    await queryRunner.query(`CREATE INDEX "IDX_agent_sessions_status" ON "agent_sessions" ("status", "last_activity_at")`);
    await queryRunner.query(`
      CREATE TABLE "usage_records" (
        "id" serial PRIMARY KEY,
        "at" text NOT NULL,
        "token_id" integer NOT NULL,
        "token_name" text NOT NULL,
        "kind" text NOT NULL,
        "model" text,
        "outcome" text NOT NULL,
        "input_tokens" integer NOT NULL DEFAULT 0,
        "output_tokens" integer NOT NULL DEFAULT 0,
        "cache_read_tokens" integer NOT NULL DEFAULT 0,
        "cache_creation_tokens" integer NOT NULL DEFAULT 0,
        "cost_usd" double precision NOT NULL DEFAULT 0
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_usage_records_token_at" ON "usage_records" ("token_name", "at")`);
    await queryRunner.query(`CREATE INDEX "IDX_usage_records_at" ON "usage_records" ("at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['usage_records', 'agent_sessions', 'stored_files', 'audit_events', 'app_tokens']) await queryRunner.query(`DROP TABLE "${table}"`);
  }
}
