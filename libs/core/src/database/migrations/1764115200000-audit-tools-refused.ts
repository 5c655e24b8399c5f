import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditToolsRefused1764115200000 implements MigrationInterface {
  name = 'AuditToolsRefused1764115200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD COLUMN "tools_refused" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "tools_refused"`);
  }
}
