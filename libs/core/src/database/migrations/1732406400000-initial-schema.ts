import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1732406400000 implements MigrationInterface {
  name = 'InitialSchema1732406400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "app_tokens" (
        "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
        "name" text NOT NULL,
        "token_hash" text NOT NULL,
        "ip_cidrs" text,
        "created_at" text NOT NULL,
        "last_used_at" text,
        "revoked_at" text,
        CONSTRAINT "UQ_app_tokens_token_hash" UNIQUE ("token_hash")
      )`);
    // A name is taken only while its token is live, so an app's token can be rotated under the same name.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_app_tokens_live_name" ON "app_tokens" ("name") WHERE "revoked_at" IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "audit_events" (
        "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
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
        "cost_usd" real,
        "session_id" text,
        "turn_index" integer,
        "queue_ms" integer
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_token_name" ON "audit_events" ("token_name", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_route" ON "audit_events" ("route", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_at" ON "audit_events" ("at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP INDEX "UQ_app_tokens_live_name"`);
    await queryRunner.query(`DROP TABLE "app_tokens"`);
  }
}
