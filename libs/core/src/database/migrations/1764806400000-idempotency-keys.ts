import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Idempotency-Keys of each token and the answers kept for them; and, in the audit log, which
 * requests were answered from a kept answer instead of doing the work again. The same SQL on SQLite
 * and PostgreSQL.
 */
export class IdempotencyKeys1764806400000 implements MigrationInterface {
  name = 'IdempotencyKeys1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "idempotency_keys" (
        "token_id" integer NOT NULL,
        "key" text NOT NULL,
        "fingerprint" text NOT NULL,
        "state" text NOT NULL,
        "instance_id" text,
        "status" integer,
        "headers" text,
        "body" text,
        "created_at" text NOT NULL,
        "expires_at" text NOT NULL,
        PRIMARY KEY ("token_id", "key")
      )`);
    await queryRunner.query(`CREATE INDEX "idempotency_keys_expires_at" ON "idempotency_keys" ("expires_at")`);
    await queryRunner.query(`ALTER TABLE "audit_events" ADD COLUMN "replayed" boolean`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "replayed"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
