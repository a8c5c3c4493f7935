import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The credential broker's fleet-wide cache: short-lived credentials sealed with the keyring (the
 * associated data binds each row to its connection and cache key), one row per cache key. Replicas
 * take an advisory lock on the key, re-read the row, and only call STS when it is missing or due,
 * so the fleet makes one AssumeRole per key per lifetime. Rows go with their connection.
 */
export class CreateCredentialLeases1763900000004 implements MigrationInterface {
  name = 'CreateCredentialLeases1763900000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE credential_leases (
        cache_key text PRIMARY KEY,
        connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        stamp text NOT NULL,
        key_id text NOT NULL,
        sealed bytea NOT NULL,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX ix_credential_leases_connection ON credential_leases (connection_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE credential_leases`);
  }
}
