import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Overlapping External ID rotation (a next id accepted beside the current one until validation
 * promotes it) and the bookkeeping that lets exactly one replica run each posture sweep.
 */
export class AddRotationAndPosture1763900000005 implements MigrationInterface {
  name = 'AddRotationAndPosture1763900000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE connections ADD COLUMN next_external_id text`);
    await queryRunner.query(`ALTER TABLE connections ADD CONSTRAINT uq_connections_next_external_id UNIQUE (next_external_id)`);
    await queryRunner.query(`
      CREATE TABLE scheduled_runs (
        name text PRIMARY KEY,
        last_started_at timestamptz NOT NULL,
        last_runner text NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE scheduled_runs`);
    await queryRunner.query(`ALTER TABLE connections DROP CONSTRAINT uq_connections_next_external_id`);
    await queryRunner.query(`ALTER TABLE connections DROP COLUMN next_external_id`);
  }
}
