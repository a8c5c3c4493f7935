import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AuditOutcome = 'success' | 'failure';

/** Who did what to which object, when, and how it ended. Never holds a secret. */
@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  /** Set by Tether, not the database, because the hash covers it. */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'actor_token_id', type: 'uuid', nullable: true })
  actorTokenId!: string | null;

  @Column({ name: 'actor_name', type: 'text', nullable: true })
  actorName!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'target_type', type: 'text' })
  targetType!: string;

  @Column({ name: 'target_id', type: 'text', nullable: true })
  targetId!: string | null;

  @Column({ name: 'connection_id', type: 'uuid', nullable: true })
  connectionId!: string | null;

  @Column({ type: 'text' })
  outcome!: AuditOutcome;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  detail!: Record<string, unknown>;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  /** Order of the chain (bigint, read as a string). */
  @Column({ type: 'bigint', insert: false, update: false, generated: 'increment' })
  seq!: string;

  @Column({ name: 'prev_hash', type: 'bytea', nullable: true })
  prevHash!: Buffer | null;

  @Column({ type: 'bytea', nullable: true })
  hash!: Buffer | null;
}
