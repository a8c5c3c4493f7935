import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What Tether last deployed per function, so a repeated deploy can answer "unchanged" without a
 * write call: the package's SHA-256, a hash of the configuration (environment values only as a
 * keyed HMAC), and the cloud's code hash and last-modified seen afterwards. Environment values
 * and the HMAC key are sealed with the keyring, bound to the workspace and row id. Rows go with
 * their connection. `namespace` is '' where the cloud has none (Lambda), so the key stays unique.
 */
export class CreateFunctionDeployments1763900000006 implements MigrationInterface {
  name = 'CreateFunctionDeployments1763900000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE function_deployments (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        namespace text NOT NULL DEFAULT '',
        function_name text NOT NULL,
        runtime text NOT NULL,
        handler text NOT NULL,
        memory_mb integer NOT NULL,
        timeout_seconds integer NOT NULL,
        environment_names jsonb NOT NULL DEFAULT '[]'::jsonb,
        code_key text NOT NULL,
        package_sha256 text NOT NULL,
        configuration_hash text NOT NULL,
        key_id text NOT NULL,
        sealed bytea NOT NULL,
        cloud_code_hash text,
        cloud_last_modified text,
        version text,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_function_deployments_function UNIQUE (connection_id, namespace, function_name)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE function_deployments`);
  }
}
