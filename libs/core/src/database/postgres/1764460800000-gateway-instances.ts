import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The instances sharing this database, each with the URL the others reach it at and when it was
 * last seen alive; and the secret they sign forwarded requests with, which only holders of the
 * database can read. PostgreSQL only: on SQLite there is one instance and nothing to forward.
 */
export class GatewayInstances1764460800000 implements MigrationInterface {
  name = 'GatewayInstances1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "gateway_instances" (
        "id" text PRIMARY KEY,
        "url" text NOT NULL,
        "started_at" text NOT NULL,
        "seen_at" text NOT NULL
      )`);
    await queryRunner.query(`CREATE TABLE "gateway_secrets" ("name" text PRIMARY KEY, "value" text NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "gateway_secrets"`);
    await queryRunner.query(`DROP TABLE "gateway_instances"`);
  }
}
