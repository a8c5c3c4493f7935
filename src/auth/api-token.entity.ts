import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TokenRole } from './token-role';

/** An API token. Only the SHA-256 of the token is stored; the token itself is shown once. */
@Entity({ name: 'api_tokens' })
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: TokenRole;

  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash!: Buffer;

  /** For service tokens: the connections (ids or names) it may use; null means all. */
  @Column({ type: 'text', array: true, nullable: true })
  connections!: string[] | null;

  /** The operator's token from TETHER_BOOTSTRAP_TOKEN: the only one that may manage workspaces. */
  @Column({ name: 'is_bootstrap', type: 'boolean', default: false })
  isBootstrap!: boolean;

  /** Credentials issued to this token name it (and its workspace and connection) in the cloud session. */
  @Column({ type: 'boolean', default: false })
  provenance!: boolean;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
