import { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit trail: one row per mutation, validation, credential issue and invocation. */
export class CreateAuditEvents1763900000001 implements MigrationInterface {
  name = 'CreateAuditEvents1763900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        actor_token_id uuid,
        actor_name text,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        connection_id uuid,
        outcome text NOT NULL CONSTRAINT ck_audit_events_outcome CHECK (outcome IN ('success', 'failure')),
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        request_id text
      )`);
    await queryRunner.query(`CREATE INDEX ix_audit_events_workspace_time ON audit_events (workspace_id, created_at, id)`);
    await queryRunner.query(`CREATE INDEX ix_audit_events_connection ON audit_events (workspace_id, connection_id, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_events`);
  }
}
