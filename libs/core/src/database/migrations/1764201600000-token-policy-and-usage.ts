import { MigrationInterface, QueryRunner } from 'typeorm';

export class TokenPolicyAndUsage1764201600000 implements MigrationInterface {
  name = 'TokenPolicyAndUsage1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['"models" text', '"max_concurrent_runs" integer', '"runs_per_minute" integer', '"budget_usd_day" real', '"budget_usd_month" real']) {
      await queryRunner.query(`ALTER TABLE "app_tokens" ADD COLUMN ${column}`);
    }
    // The agent reports a session's cost as a running total; a turn's cost is the difference.
    await queryRunner.query(`ALTER TABLE "agent_sessions" ADD COLUMN "agent_cost_usd" real`);
    await queryRunner.query(`
      CREATE TABLE "usage_records" (
        "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
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
        "cost_usd" real NOT NULL DEFAULT 0
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_usage_records_token_at" ON "usage_records" ("token_name", "at")`);
    await queryRunner.query(`CREATE INDEX "IDX_usage_records_at" ON "usage_records" ("at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "usage_records"`);
    await queryRunner.query(`ALTER TABLE "agent_sessions" DROP COLUMN "agent_cost_usd"`);
    for (const column of ['models', 'max_concurrent_runs', 'runs_per_minute', 'budget_usd_day', 'budget_usd_month']) {
      await queryRunner.query(`ALTER TABLE "app_tokens" DROP COLUMN "${column}"`);
    }
  }
}
