import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A write-only value, stored sealed (AES-256-GCM) under the key named by `keyId`. */
@Entity({ name: 'secrets' })
export class SecretEntity {
  /** Assigned before sealing, because the ciphertext's associated data binds it. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column({ name: 'key_id', type: 'text' })
  keyId!: string;

  /** nonce (12 bytes) ‖ GCM tag (16 bytes) ‖ ciphertext. */
  @Column({ type: 'bytea' })
  sealed!: Buffer;

  /** Set when the secret was given inline on a connection: it lives and dies with that connection. */
  @Column({ name: 'owner_connection_id', type: 'uuid', nullable: true })
  ownerConnectionId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
