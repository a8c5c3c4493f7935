import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * What Tether last deployed as one function, for the "unchanged" comparison. Holds no plaintext
 * environment value: those and the HMAC key of the configuration hash are in `sealed`.
 */
@Entity({ name: 'function_deployments' })
export class FunctionDeploymentEntity {
  /** Assigned before sealing, because the ciphertext's associated data binds it. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'connection_id', type: 'uuid' })
  connectionId!: string;

  /** The FC service or SCF namespace; '' on Lambda. */
  @Column({ type: 'text', default: '' })
  namespace!: string;

  @Column({ name: 'function_name', type: 'text' })
  functionName!: string;

  @Column({ type: 'text' })
  runtime!: string;

  @Column({ type: 'text' })
  handler!: string;

  @Column({ name: 'memory_mb', type: 'integer' })
  memoryMb!: number;

  @Column({ name: 'timeout_seconds', type: 'integer' })
  timeoutSeconds!: number;

  @Column({ name: 'environment_names', type: 'jsonb', default: () => "'[]'::jsonb" })
  environmentNames!: string[];

  @Column({ name: 'code_key', type: 'text' })
  codeKey!: string;

  @Column({ name: 'package_sha256', type: 'text' })
  packageSha256!: string;

  @Column({ name: 'configuration_hash', type: 'text' })
  configurationHash!: string;

  @Column({ name: 'key_id', type: 'text' })
  keyId!: string;

  /** nonce ‖ GCM tag ‖ ciphertext of the environment as sent and the configuration-hash key. */
  @Column({ type: 'bytea' })
  sealed!: Buffer;

  @Column({ name: 'cloud_code_hash', type: 'text', nullable: true })
  cloudCodeHash!: string | null;

  @Column({ name: 'cloud_last_modified', type: 'text', nullable: true })
  cloudLastModified!: string | null;

  /** The version the last deploy published, if it published one. */
  @Column({ type: 'text', nullable: true })
  version!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
