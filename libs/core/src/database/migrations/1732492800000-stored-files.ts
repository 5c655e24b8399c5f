import { MigrationInterface, QueryRunner } from 'typeorm';

export class StoredFiles1732492800000 implements MigrationInterface {
  name = 'StoredFiles1732492800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "stored_files" (
        "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
        "file_token" text NOT NULL,
        "owner_token_id" integer NOT NULL,
        "original_name" text NOT NULL,
        "media_type" text NOT NULL,
        "size" integer NOT NULL,
        "sha256" text NOT NULL,
        "storage_name" text NOT NULL,
        "created_at" text NOT NULL,
        "expires_at" text NOT NULL,
        CONSTRAINT "UQ_stored_files_file_token" UNIQUE ("file_token"),
        CONSTRAINT "UQ_stored_files_storage_name" UNIQUE ("storage_name")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_stored_files_owner" ON "stored_files" ("owner_token_id", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_stored_files_expires_at" ON "stored_files" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "stored_files"`);
  }
}
