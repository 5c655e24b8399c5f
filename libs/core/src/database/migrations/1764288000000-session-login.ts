import { MigrationInterface, QueryRunner } from 'typeorm';

/** Which Claude login (its CLAUDE_CONFIG_DIRS label) a session runs on; null for sessions from before logins were pooled. */
export class SessionLogin1764288000000 implements MigrationInterface {
  name = 'SessionLogin1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent_sessions" ADD COLUMN "claude_login" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent_sessions" DROP COLUMN "claude_login"`);
  }
}
