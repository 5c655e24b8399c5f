import { MigrationInterface, QueryRunner } from 'typeorm';

/** The instance whose acpx holds a session (DATA_DIR/instance-id); null for sessions from before. The same SQL on SQLite and PostgreSQL. */
export class SessionInstance1764374400001 implements MigrationInterface {
  name = 'SessionInstance1764374400001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent_sessions" ADD COLUMN "instance_id" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent_sessions" DROP COLUMN "instance_id"`);
  }
}
