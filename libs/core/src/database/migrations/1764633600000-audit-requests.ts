import { MigrationInterface, QueryRunner } from 'typeorm';

/** How many requests an audit row stands for when more than one: a summary of refused requests from one peer in one minute. The same SQL on SQLite and PostgreSQL. */
export class AuditRequests1764633600000 implements MigrationInterface {
  name = 'AuditRequests1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD COLUMN "requests" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "requests"`);
  }
}
