import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuthContext } from '../auth/auth-context';
import { isUuid } from '../common/http/identifier';
import { PageQuery, paginate, Page } from '../common/http/pagination';
import { Sensitive } from '../common/logging/sensitive';
import { TetherError } from '../common/problem/tether-error';
import { isForeignKeyViolation, isUniqueViolation } from '../database/pg-errors';
import { SecretResponse } from './dto/secret.dto';
import { Keyring } from './keyring';
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
  ) {}

  async create(auth: AuthContext, name: string, value: string, manager?: EntityManager): Promise<SecretResponse> {
    const run = async (m: EntityManager) => {
      const id = randomUUID();
      const { keyId, sealed } = this.keyring.seal(Buffer.from(value, 'utf8'), secretAssociatedData(auth.workspaceId, id));
      try {
        const row = await m.getRepository(SecretEntity).save(m.getRepository(SecretEntity).create({ id, workspaceId: auth.workspaceId, name, version: 1, keyId, sealed }));
        return toSecretResponse(row);
      } catch (error) {
        if (isUniqueViolation(error, 'uq_secrets_name')) {
          throw new TetherError('conflict', `A secret named '${name}' already exists; rotate it with PUT /secrets/${name}/value or pick another name.`, {
            errors: [{ field: 'name', message: 'is already used by another secret' }],
          });
        }
        throw error;
      }
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
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
    return this.dataSource.transaction(async (manager) => {
      const row = await this.find(manager, auth.workspaceId, idOrName, true);
      const { keyId, sealed } = this.keyring.seal(Buffer.from(value, 'utf8'), secretAssociatedData(row.workspaceId, row.id));
      row.keyId = keyId;
      row.sealed = sealed;
      row.version += 1;
      return toSecretResponse(await manager.getRepository(SecretEntity).save(row));
    });
  }

  async delete(auth: AuthContext, idOrName: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.find(manager, auth.workspaceId, idOrName, true);
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

  /** The plaintext, for the code path that hands it to a cloud SDK. Never for a response. */
  async reveal(workspaceId: string, secretId: string, manager: EntityManager = this.dataSource.manager): Promise<Sensitive> {
    const row = await this.find(manager, workspaceId, secretId);
    return new Sensitive(this.keyring.open(row, secretAssociatedData(row.workspaceId, row.id)).toString('utf8'));
  }

  /** Resolves `:id` (an id or a name) within the workspace, 404 otherwise. */
  async find(manager: EntityManager, workspaceId: string, idOrName: string, forUpdate = false): Promise<SecretEntity> {
    const where = isUuid(idOrName) ? { id: idOrName, workspaceId } : { name: idOrName, workspaceId };
    const row = await manager.getRepository(SecretEntity).findOne({ where, lock: forUpdate ? { mode: 'pessimistic_write' } : undefined });
    if (!row) throw TetherError.notFound('secret', idOrName);
    return row;
  }
}

export function toSecretResponse(row: SecretEntity): SecretResponse {
  return { id: row.id, name: row.name, version: row.version, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}
