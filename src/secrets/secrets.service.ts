import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthContext } from '../auth/auth-context';
import { isIdOrName, isUuid } from '../common/http/identifier';
import { PageQuery, paginate, Page } from '../common/http/pagination';
import { Sensitive } from '../common/logging/sensitive';
import { TetherError } from '../common/problem/tether-error';
import { isForeignKeyViolation, isUniqueViolation } from '../database/pg-errors';
import { SecretResponse } from './dto/secret.dto';
import { Keyring } from './keyring';
import { SecretChanges } from './secret-changes';
import { SecretEntity } from './secret.entity';

/** Binds a ciphertext to its row: copied into another secret or workspace, it no longer opens. */
export function secretAssociatedData(workspaceId: string, secretId: string): string {
  return `tether/secret/v1/${workspaceId}/${secretId}`;
}

@Injectable()
export class SecretsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Keyring) private readonly keyring: Keyring,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(SecretChanges) private readonly changes: SecretChanges,
  ) {}

  async create(auth: AuthContext, name: string, value: string): Promise<SecretResponse> {
    return this.audit.mutate(auth, { action: 'secret.create', targetType: 'secret', detail: { name } }, async (manager, target) => {
      const created = await this.insert(manager, auth.workspaceId, name, value);
      target.targetId = created.id;
      return created;
    });
  }

  /** Seals and stores a new secret inside the caller's transaction. */
  async insert(manager: EntityManager, workspaceId: string, name: string, value: string, ownerConnectionId: string | null = null): Promise<SecretResponse> {
    const id = randomUUID();
    const { keyId, sealed } = this.keyring.seal(Buffer.from(value, 'utf8'), secretAssociatedData(workspaceId, id));
    const repository = manager.getRepository(SecretEntity);
    try {
      return toSecretResponse(await repository.save(repository.create({ id, workspaceId, name, version: 1, keyId, sealed, ownerConnectionId })));
    } catch (error) {
      if (isUniqueViolation(error, 'uq_secrets_name')) {
        throw new TetherError('conflict', `A secret named '${name}' already exists; rotate it with PUT /secrets/${name}/value or pick another name.`, {
          errors: [{ field: 'name', message: 'is already used by another secret' }],
        });
      }
      throw error;
    }
  }

  async list(auth: AuthContext, page: PageQuery): Promise<Page<SecretResponse>> {
    const query = this.dataSource.getRepository(SecretEntity).createQueryBuilder('secret').where('secret.workspaceId = :workspaceId', { workspaceId: auth.workspaceId });
    const result = await paginate(query, page);
    return { items: result.items.map(toSecretResponse), nextCursor: result.nextCursor };
  }

  async get(auth: AuthContext, idOrName: string): Promise<SecretResponse> {
    return toSecretResponse(await this.find(this.dataSource.manager, auth.workspaceId, idOrName));
  }

  /** Rotation: the value is replaced and the version goes up by one. */
  async rotate(auth: AuthContext, idOrName: string, value: string): Promise<SecretResponse> {
    const rotated = await this.audit.mutate(auth, { action: 'secret.rotate', targetType: 'secret' }, async (manager, target) => {
      const row = await this.find(manager, auth.workspaceId, idOrName, true);
      const next = await this.replaceValue(manager, row, value);
      Object.assign(target, { targetId: row.id, detail: { name: row.name, version: next.version } });
      return next;
    });
    this.changes.changed(rotated.id);
    return rotated;
  }

  /** Seals a new value as the next version, inside the caller's transaction. */
  async replaceValue(manager: EntityManager, row: SecretEntity, value: string): Promise<SecretResponse> {
    const { keyId, sealed } = this.keyring.seal(Buffer.from(value, 'utf8'), secretAssociatedData(row.workspaceId, row.id));
    row.keyId = keyId;
    row.sealed = sealed;
    row.version += 1;
    return toSecretResponse(await manager.getRepository(SecretEntity).save(row));
  }

  async delete(auth: AuthContext, idOrName: string): Promise<void> {
    await this.audit.mutate(auth, { action: 'secret.delete', targetType: 'secret' }, async (manager, target) => {
      const row = await this.find(manager, auth.workspaceId, idOrName, true);
      Object.assign(target, { targetId: row.id, detail: { name: row.name } });
      try {
        await manager.getRepository(SecretEntity).delete({ id: row.id });
      } catch (error) {
        // Connections reference their secrets with ON DELETE RESTRICT: the database is the referee.
        if (isForeignKeyViolation(error)) {
          throw new TetherError('secret-in-use', `Secret '${row.name}' is used by a connection; change or delete the connection first.`);
        }
        throw error;
      }
    });
  }

  /** Deletes the secrets a connection owns, except those it still uses. */
  async deleteOrphansOf(manager: EntityManager, connectionId: string, stillUsed: readonly (string | null)[]): Promise<void> {
    const keep = stillUsed.filter((id): id is string => id !== null);
    const query = manager.getRepository(SecretEntity).createQueryBuilder().delete().where('owner_connection_id = :connectionId', { connectionId });
    if (keep.length > 0) query.andWhere('id NOT IN (:...keep)', { keep });
    await query.execute();
  }

  /** Names of the given secrets, for responses that show which secret a connection uses. */
  async namesByIds(workspaceId: string, ids: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await manager.getRepository(SecretEntity).find({ select: { id: true, name: true }, where: { workspaceId, id: In([...new Set(ids)]) } });
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** The plaintext, for the code path that hands it to a cloud SDK. Never for a response. */
  async reveal(workspaceId: string, secretId: string, manager: EntityManager = this.dataSource.manager): Promise<Sensitive> {
    const row = await this.find(manager, workspaceId, secretId);
    return new Sensitive(this.keyring.open(row, secretAssociatedData(row.workspaceId, row.id)).toString('utf8'));
  }

  /** Resolves `:id` (an id or a name) within the workspace, 404 otherwise. */
  async find(manager: EntityManager, workspaceId: string, idOrName: string, forUpdate = false): Promise<SecretEntity> {
    if (!isIdOrName(idOrName)) throw TetherError.notFound('secret', idOrName);
    const where = isUuid(idOrName) ? { id: idOrName, workspaceId } : { name: idOrName, workspaceId };
    const row = await manager.getRepository(SecretEntity).findOne({ where, lock: forUpdate ? { mode: 'pessimistic_write' } : undefined });
    if (!row) throw TetherError.notFound('secret', idOrName);
    return row;
  }
}

export function toSecretResponse(row: SecretEntity): SecretResponse {
  return { id: row.id, name: row.name, version: row.version, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}
