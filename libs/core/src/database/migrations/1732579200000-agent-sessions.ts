import { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentSessions1732579200000 implements MigrationInterface {
  name = 'AgentSessions1732579200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "agent_sessions" (
        "seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
        "id" text NOT NULL,
        "owner_token_id" integer NOT NULL,
        "agent" text NOT NULL,
        "model" text NOT NULL,
        "system_prompt" text,
        "cwd" text NOT NULL,
        "status" text NOT NULL,
        "busy" integer NOT NULL DEFAULT 0,
        "turn_count" integer NOT NULL DEFAULT 0,
        "created_at" text NOT NULL,
        "last_activity_at" text NOT NULL,
        "closed_at" text,
        CONSTRAINT "UQ_agent_sessions_id" UNIQUE ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_agent_sessions_owner" ON "agent_sessions" ("owner_token_id", "seq")`);
    await queryRunner.query(`CREATE INDEX "IDX_agent_sessions_status" ON "agent_sessions" ("status", "last_activity_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "agent_sessions"`);
  }
}
