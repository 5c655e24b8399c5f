import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which instance holds the run parked on each tool call the model made, for whom, and until when:
 * a continuation that reaches another instance is forwarded to the one whose claude waits for its
 * results. PostgreSQL only: on SQLite there is one instance, and its parked runs are in its memory.
 */
export class ToolRunParks1764720000000 implements MigrationInterface {
  name = 'ToolRunParks1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "tool_run_parks" (
        "call_id" text PRIMARY KEY,
        "owner" text NOT NULL,
        "instance_id" text NOT NULL,
        "expires_at" text NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "tool_run_parks_expires_at" ON "tool_run_parks" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "tool_run_parks"`);
  }
}
