import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CloudProvider } from '../cloud-identifiers';

export type AuthType = 'assume_role' | 'access_key' | 'platform';
export type ValidationStatus = 'pending' | 'valid' | 'invalid' | 'insecure';
export type FunctionCapability = 'invoke' | 'deploy';

/** A connection's function settings, stored as one JSON document. */
export interface FunctionSettings {
  namespace?: string;
  codeBucket?: string;
  capabilities: FunctionCapability[];
  executionRoleArn?: string;
  /** `host:port` values an HTTP call through the connection may reach. */
  egress: string[];
}

export interface ValidationCheck {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
}

/** A way into one customer cloud account. */
@Entity({ name: 'connections' })
export class ConnectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  provider!: CloudProvider;

  @Column({ type: 'text' })
  region!: string;

  @Column({ name: 'auth_type', type: 'text' })
  authType!: AuthType;

  @Column({ name: 'role_arn', type: 'text', nullable: true })
  roleArn!: string | null;

  @Column({ name: 'session_name', type: 'text', nullable: true })
  sessionName!: string | null;

  @Column({ name: 'access_key_id', type: 'text', nullable: true })
  accessKeyId!: string | null;

  @Column({ name: 'secret_id', type: 'uuid', nullable: true })
  secretId!: string | null;

  @Column({ name: 'session_token_secret_id', type: 'uuid', nullable: true })
  sessionTokenSecretId!: string | null;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId!: string | null;

  /** During an overlapping rotation: the id the trust policy accepts beside the current one until validation promotes it. */
  @Column({ name: 'next_external_id', type: 'text', nullable: true })
  nextExternalId!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  functions!: FunctionSettings;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ name: 'validation_status', type: 'text', default: 'pending' })
  validationStatus!: ValidationStatus;

  @Column({ name: 'validation_checked_at', type: 'timestamptz', nullable: true })
  validationCheckedAt!: Date | null;

  @Column({ name: 'validation_checks', type: 'jsonb', default: () => "'[]'::jsonb" })
  validationChecks!: ValidationCheck[];

  /** Bumped by every change; the ETag is derived from it. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
