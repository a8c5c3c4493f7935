import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tamper evidence: each audit event stores the SHA-256 of its content and of the previous
 * event of its workspace, in `seq` order. Editing or deleting a row breaks the chain.
 */
export class ChainAuditEvents1763900000003 implements MigrationInterface {
  name = 'ChainAuditEvents1763900000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE audit_events ADD COLUMN seq bigserial`);
    await queryRunner.query(`ALTER TABLE audit_events ADD COLUMN prev_hash bytea`);
    await queryRunner.query(`ALTER TABLE audit_events ADD COLUMN hash bytea`);
    await queryRunner.query(`CREATE UNIQUE INDEX uq_audit_events_seq ON audit_events (seq)`);
    await queryRunner.query(`CREATE INDEX ix_audit_events_workspace_seq ON audit_events (workspace_id, seq)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ix_audit_events_workspace_seq`);
    await queryRunner.query(`DROP INDEX uq_audit_events_seq`);
    await queryRunner.query(`ALTER TABLE audit_events DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN seq`);
  }
}
