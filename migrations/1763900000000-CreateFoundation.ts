import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workspaces, API tokens and sealed secrets. Valid SQL on PostgreSQL 15 and PGlite alike.
 * created_at is kept at millisecond precision so keyset cursors round-trip through JavaScript dates.
 */
export class CreateFoundation1763900000000 implements MigrationInterface {
  name = 'CreateFoundation1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE workspaces (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT uq_workspaces_name UNIQUE (name)
      )`);
    await queryRunner.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        role text NOT NULL CONSTRAINT ck_api_tokens_role CHECK (role IN ('admin', 'editor', 'viewer', 'service')),
        token_hash bytea NOT NULL,
        connections text[],
        is_bootstrap boolean NOT NULL DEFAULT false,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT uq_api_tokens_hash UNIQUE (token_hash),
        CONSTRAINT uq_api_tokens_name UNIQUE (workspace_id, name)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX uq_api_tokens_bootstrap ON api_tokens (is_bootstrap) WHERE is_bootstrap`);
    await queryRunner.query(`
      CREATE TABLE secrets (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        key_id text NOT NULL,
        sealed bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_secrets_name UNIQUE (workspace_id, name)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE secrets`);
    await queryRunner.query(`DROP TABLE api_tokens`);
    await queryRunner.query(`DROP TABLE workspaces`);
  }
}
