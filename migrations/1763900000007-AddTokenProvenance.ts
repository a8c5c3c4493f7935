import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Provenance, opt-in per token: credentials issued to such a token name its workspace, connection
 * and token in the cloud session (session name, AWS session tags), and are cached per token.
 */
export class AddTokenProvenance1763900000007 implements MigrationInterface {
  name = 'AddTokenProvenance1763900000007';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_tokens ADD COLUMN provenance boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_tokens DROP COLUMN provenance`);
  }
}
