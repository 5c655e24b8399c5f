import { MigrationInterface, QueryRunner } from 'typeorm';

/** The end user an app names for a request (OpenAI's `user`, Anthropic's `metadata.user_id`): audited, never sent on. The same SQL on SQLite and PostgreSQL. */
export class AuditEndUser1764547200000 implements MigrationInterface {
  name = 'AuditEndUser1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD COLUMN "end_user" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "end_user"`);
  }
}
