import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Connections into customer clouds. Secrets they use are referenced with ON DELETE RESTRICT, so
 * the database itself refuses to delete a secret in use; inline secrets are owned by their
 * connection.
 */
export class CreateConnections1763900000002 implements MigrationInterface {
  name = 'CreateConnections1763900000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE secrets ADD COLUMN owner_connection_id uuid`);
    await queryRunner.query(`
      CREATE TABLE connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        provider text NOT NULL CONSTRAINT ck_connections_provider CHECK (provider IN ('aws', 'aliyun', 'tencent')),
        region text NOT NULL,
        auth_type text NOT NULL CONSTRAINT ck_connections_auth_type CHECK (auth_type IN ('assume_role', 'access_key', 'platform')),
        role_arn text,
        session_name text,
        access_key_id text,
        secret_id uuid REFERENCES secrets (id) ON DELETE RESTRICT,
        session_token_secret_id uuid REFERENCES secrets (id) ON DELETE RESTRICT,
        external_id text,
        functions jsonb NOT NULL DEFAULT '{}'::jsonb,
        comment text,
        validation_status text NOT NULL DEFAULT 'pending'
          CONSTRAINT ck_connections_validation_status CHECK (validation_status IN ('pending', 'valid', 'invalid', 'insecure')),
        validation_checked_at timestamptz,
        validation_checks jsonb NOT NULL DEFAULT '[]'::jsonb,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_connections_name UNIQUE (workspace_id, name),
        CONSTRAINT uq_connections_external_id UNIQUE (external_id),
        CONSTRAINT ck_connections_access_key CHECK (auth_type <> 'access_key' OR (access_key_id IS NOT NULL AND role_arn IS NULL)),
        CONSTRAINT ck_connections_assume_role CHECK (auth_type <> 'assume_role' OR (role_arn IS NOT NULL AND external_id IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX ix_connections_workspace_created ON connections (workspace_id, created_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE connections`);
    await queryRunner.query(`ALTER TABLE secrets DROP COLUMN owner_connection_id`);
  }
}
