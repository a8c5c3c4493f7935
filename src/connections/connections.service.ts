import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService, AuditTarget } from '../audit/audit.service';
import { AuthContext } from '../auth/auth-context';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { isIdOrName, isUuid } from '../common/http/identifier';
import { Page, paginate } from '../common/http/pagination';
import { TetherError } from '../common/problem/tether-error';
import { generateExternalId } from '../external-ids/external-id';
import { SecretsService } from '../secrets/secrets.service';
import { platformPrincipal } from '../trust-policies/platform-principal';
import { ConnectionChanges } from './connection-changes';
import { ConnectionEntity } from './connection.entity';
import { checkConnection, toFunctionSettings } from './connection-rules';
import { ConnectionAuthDto, CreateConnectionRequest, SecretRefDto, UpdateConnectionRequest } from './dto/connection-request.dto';
import { ConnectionListQuery, ConnectionResponse } from './dto/connection-response.dto';

export type RotationMode = 'overlap' | 'immediate';

/** The ETag of a connection's current version. */
export function etagOf(row: ConnectionEntity): string {
  return `"${row.id}.${row.version}"`;
}

/** Whether a connection assumes a role, and so has an External ID and a trust policy. */
export function assumesRole(row: Pick<ConnectionEntity, 'authType' | 'roleArn'>): boolean {
  return row.authType === 'assume_role' || (row.authType === 'platform' && row.roleArn !== null);
}

/** 403 when a service token limited to named connections is not granted this one. */
export function refuseUngranted(auth: Pick<AuthContext, 'connections'>, row: Pick<ConnectionEntity, 'id' | 'name'>): void {
  if (auth.connections && !auth.connections.includes(row.name) && !auth.connections.includes(row.id)) {
    throw new TetherError('connection-not-granted', `This service token is not granted connection '${row.name}'; an admin can create a token that lists it.`);
  }
}

@Injectable()
export class ConnectionsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(SecretsService) private readonly secrets: SecretsService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(TETHER_CONFIG) private readonly config: TetherConfig,
    @Inject(ConnectionChanges) private readonly changes: ConnectionChanges,
  ) {}

  /**
   * Creates a connection. A taken name is a 409, or with `ifNotExists` the existing connection
   * (created: false). The row, its inline secrets and its audit event commit together.
   */
  async create(auth: AuthContext, request: CreateConnectionRequest, ifNotExists: boolean): Promise<{ connection: ConnectionEntity; created: boolean }> {
    this.refuseInvalid(checkConnection(request.provider, request.region, request.auth, request.functions));
    const needsRole = request.auth.type === 'assume_role' || (request.auth.type === 'platform' && request.auth.roleArn !== undefined);
    if (needsRole) this.principalFor(request.provider, request.region);

    const target: AuditTarget = { action: 'connection.create', targetType: 'connection', detail: { name: request.name, provider: request.provider, authType: request.auth.type } };
    const existing = await this.findByName(this.dataSource.manager, auth.workspaceId, request.name);
    if (existing) return this.existing(auth, target, existing, ifNotExists);

    const outcome = await this.audit.mutate(auth, target, async (manager, event) => {
      const repository = manager.getRepository(ConnectionEntity);
      // INSERT … ON CONFLICT DO NOTHING: a concurrent create of the same name loses without aborting the transaction.
      const inserted = await repository
        .createQueryBuilder()
        .insert()
        .values({
          workspaceId: auth.workspaceId,
          name: request.name,
          provider: request.provider,
          region: request.region,
          authType: request.auth.type,
          roleArn: request.auth.roleArn ?? null,
          sessionName: request.auth.sessionName ?? null,
          accessKeyId: request.auth.accessKeyId ?? null,
          externalId: needsRole ? generateExternalId() : null,
          functions: toFunctionSettings(request.functions),
          comment: request.comment ?? null,
        })
        .orIgnore()
        .returning('id')
        .execute();
      const id = (inserted.raw as { id: string }[])[0]?.id;
      if (!id) {
        event.unchanged = true;
        return undefined;
      }
      const row = await repository.findOneByOrFail({ id });
      await this.attachSecrets(manager, auth, row, request.auth);
      await repository.save(row);
      event.targetId = row.id;
      event.connectionId = row.id;
      return row;
    });
    if (outcome) return { connection: outcome, created: true };
    const winner = await this.findByName(this.dataSource.manager, auth.workspaceId, request.name);
    if (!winner) throw new TetherError('conflict', `Connection '${request.name}' was created and deleted concurrently; try again.`);
    return this.existing(auth, target, winner, ifNotExists);
  }

  private async existing(auth: AuthContext, target: AuditTarget, row: ConnectionEntity, ifNotExists: boolean): Promise<{ connection: ConnectionEntity; created: boolean }> {
    if (!ifNotExists) {
      const conflict = new TetherError('conflict', `A connection named '${row.name}' already exists; pick another name, or pass ?ifNotExists=true to get the existing one.`, {
        errors: [{ field: 'name', message: 'is already used by another connection' }],
      });
      await this.audit.recordFailure(auth, target, conflict);
      throw conflict;
    }
    this.refuseUngranted(auth, row);
    return { connection: row, created: false };
  }

  async list(auth: AuthContext, query: ConnectionListQuery): Promise<Page<ConnectionEntity>> {
    const qb = this.dataSource.getRepository(ConnectionEntity).createQueryBuilder('connection').where('connection.workspaceId = :workspaceId', { workspaceId: auth.workspaceId });
    if (query.provider) qb.andWhere('connection.provider = :provider', { provider: query.provider });
    if (query.status) qb.andWhere('connection.validationStatus = :status', { status: query.status });
    if (auth.connections) {
      const granted = auth.connections;
      qb.andWhere('(connection.name IN (:...granted) OR connection.id::text IN (:...granted))', { granted });
    }
    return paginate(qb, query);
  }

  /** Resolves `:id` (an id or a name) for the caller: 404 outside the workspace, 403 when a service token is not granted it. */
  async get(auth: AuthContext, idOrName: string, manager: EntityManager = this.dataSource.manager, forUpdate = false): Promise<ConnectionEntity> {
    if (!isIdOrName(idOrName)) throw TetherError.notFound('connection', idOrName);
    const where = isUuid(idOrName) ? { id: idOrName, workspaceId: auth.workspaceId } : { name: idOrName, workspaceId: auth.workspaceId };
    const row = await manager.getRepository(ConnectionEntity).findOne({ where, lock: forUpdate ? { mode: 'pessimistic_write' } : undefined });
    if (!row) throw TetherError.notFound('connection', idOrName);
    this.refuseUngranted(auth, row);
    return row;
  }

  async update(auth: AuthContext, idOrName: string, ifMatch: string | undefined, request: UpdateConnectionRequest): Promise<ConnectionEntity> {
    if (!ifMatch) throw new TetherError('precondition-required', 'Send If-Match with the ETag from GET /connections/:id, so two editors cannot overwrite each other.');
    const result = await this.audit.mutate(auth, { action: 'connection.update', targetType: 'connection' }, async (manager, event) => {
      const row = await this.get(auth, idOrName, manager, true);
      Object.assign(event, { targetId: row.id, connectionId: row.id, detail: { name: row.name, fields: Object.keys(request) } });
      if (!ifMatchAccepts(ifMatch, etagOf(row))) {
        throw new TetherError('precondition-failed', `The connection changed since you read it (now ${etagOf(row)}); read it again and reapply your change.`);
      }
      const region = request.region ?? row.region;
      this.refuseInvalid(checkConnection(row.provider, region, request.auth, request.functions ?? (row.provider === 'tencent' ? row.functions : undefined)));
      if (request.auth) {
        const needsRole = request.auth.type === 'assume_role' || (request.auth.type === 'platform' && request.auth.roleArn !== undefined);
        if (needsRole) this.principalFor(row.provider, region);
      } else if (request.region !== undefined && assumesRole(row)) {
        this.principalFor(row.provider, region);
      }
      const resetsValidation = (request.region !== undefined && request.region !== row.region) || request.auth !== undefined;
      row.region = region;
      if (request.functions) row.functions = toFunctionSettings(request.functions);
      if (request.comment !== undefined) row.comment = request.comment;
      if (request.auth) await this.replaceAuth(manager, auth, row, request.auth);
      if (resetsValidation) resetValidation(row);
      row.version += 1;
      await manager.getRepository(ConnectionEntity).save(row);
      await this.secrets.deleteOrphansOf(manager, row.id, [row.secretId, row.sessionTokenSecretId]);
      return row;
    });
    this.changes.changed(result.id);
    return result;
  }

  async delete(auth: AuthContext, idOrName: string): Promise<void> {
    const id = await this.audit.mutate(auth, { action: 'connection.delete', targetType: 'connection' }, async (manager, event) => {
      const row = await this.get(auth, idOrName, manager, true);
      Object.assign(event, { targetId: row.id, connectionId: row.id, detail: { name: row.name } });
      await manager.getRepository(ConnectionEntity).delete({ id: row.id });
      await this.secrets.deleteOrphansOf(manager, row.id, []);
      return row.id;
    });
    this.changes.changed(id);
  }

  /**
   * `overlap` (the default) adds a next External ID beside the current one: the trust policy
   * accepts both, credentials keep using the current one, and the next validation that assumes
   * the role with the next id promotes it. `immediate` replaces the id at once and the connection
   * must be validated again.
   */
  async rotateExternalId(auth: AuthContext, idOrName: string, mode: RotationMode, action = 'connection.external_id.rotate'): Promise<ConnectionEntity> {
    const result = await this.audit.mutate(auth, { action, targetType: 'connection' }, async (manager, event) => {
      const row = await this.get(auth, idOrName, manager, true);
      Object.assign(event, { targetId: row.id, connectionId: row.id, detail: { name: row.name, mode } });
      if (!assumesRole(row)) throw new TetherError('not-applicable', `Connection '${row.name}' does not assume a role, so it has no External ID.`);
      if (mode === 'immediate') {
        row.externalId = generateExternalId();
        row.nextExternalId = null;
        resetValidation(row);
      } else {
        row.nextExternalId = generateExternalId();
      }
      row.version += 1;
      return manager.getRepository(ConnectionEntity).save(row);
    });
    this.changes.changed(result.id);
    return result;
  }

  /** After a validation assumed the role with the next External ID: it becomes the current one. */
  async promoteNextExternalId(manager: EntityManager, auth: AuthContext, connection: ConnectionEntity): Promise<void> {
    const retired = connection.externalId;
    const updated = await manager
      .getRepository(ConnectionEntity)
      .createQueryBuilder()
      .update()
      .set({ externalId: connection.nextExternalId, nextExternalId: null, version: () => 'version + 1' })
      .where('id = :id AND next_external_id = :next', { id: connection.id, next: connection.nextExternalId })
      .execute();
    if (updated.affected === 0) return;
    await this.audit.record(manager, auth, {
      action: 'connection.external_id.promote',
      targetType: 'connection',
      targetId: connection.id,
      connectionId: connection.id,
      detail: { name: connection.name, retiredSuffix: retired?.slice(-4) },
    });
    this.changes.changed(connection.id);
  }

  /** The response shape; secret names are looked up, values never. */
  async toResponses(rows: ConnectionEntity[]): Promise<ConnectionResponse[]> {
    if (rows.length === 0) return [];
    const secretIds = rows.flatMap((row) => [row.secretId, row.sessionTokenSecretId]).filter((id): id is string => id !== null);
    const names = await this.secrets.namesByIds(rows[0].workspaceId, secretIds);
    return rows.map((row) => this.toResponse(row, names));
  }

  private toResponse(row: ConnectionEntity, secretNames: Map<string, string>): ConnectionResponse {
    const auth: ConnectionResponse['auth'] = { type: row.authType };
    if (row.roleArn) auth.roleArn = row.roleArn;
    if (row.sessionName) auth.sessionName = row.sessionName;
    if (row.externalId) auth.externalId = row.externalId;
    if (row.nextExternalId) auth.nextExternalId = row.nextExternalId;
    if (assumesRole(row)) {
      const principal = platformPrincipal(this.config.principals, row.provider, row.region);
      if (principal.ok) auth.principal = principal.value;
    }
    if (row.accessKeyId) auth.accessKeyId = row.accessKeyId;
    if (row.secretId) auth.secretAccessKey = { secret: secretNames.get(row.secretId) ?? row.secretId };
    if (row.sessionTokenSecretId) auth.sessionToken = { secret: secretNames.get(row.sessionTokenSecretId) ?? row.sessionTokenSecretId };
    return {
      id: row.id,
      name: row.name,
      provider: row.provider,
      region: row.region,
      auth,
      functions: row.functions,
      comment: row.comment,
      validation: { status: row.validationStatus, checkedAt: row.validationCheckedAt?.toISOString() ?? null, checks: row.validationChecks },
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  /** The principal for a new role connection, or a 422 telling the operator what to configure. */
  principalFor(provider: ConnectionEntity['provider'], region: string): string {
    const principal = platformPrincipal(this.config.principals, provider, region);
    if (!principal.ok) throw new TetherError('principal-not-configured', principal.message);
    return principal.value;
  }

  private refuseInvalid(errors: ReturnType<typeof checkConnection>): void {
    if (errors.length > 0) throw new TetherError('invalid-request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }

  private refuseUngranted(auth: AuthContext, row: ConnectionEntity): void {
    refuseUngranted(auth, row);
  }

  private findByName(manager: EntityManager, workspaceId: string, name: string): Promise<ConnectionEntity | null> {
    return manager.getRepository(ConnectionEntity).findOneBy({ workspaceId, name });
  }

  private async replaceAuth(manager: EntityManager, auth: AuthContext, row: ConnectionEntity, request: ConnectionAuthDto): Promise<void> {
    const needsRole = request.type === 'assume_role' || (request.type === 'platform' && request.roleArn !== undefined);
    row.authType = request.type;
    row.roleArn = request.roleArn ?? null;
    row.sessionName = request.sessionName ?? null;
    row.accessKeyId = request.accessKeyId ?? null;
    if (needsRole && !row.externalId) row.externalId = generateExternalId();
    if (!needsRole) row.externalId = null;
    await this.attachSecrets(manager, auth, row, request);
  }

  /** Points the row at the secrets the request names, sealing inline values into secrets the connection owns. */
  private async attachSecrets(manager: EntityManager, auth: AuthContext, row: ConnectionEntity, request: ConnectionAuthDto): Promise<void> {
    row.secretId = request.secretAccessKey ? await this.resolveSecret(manager, auth, row, 'secretAccessKey', request.secretAccessKey, row.secretId) : null;
    row.sessionTokenSecretId = request.sessionToken ? await this.resolveSecret(manager, auth, row, 'sessionToken', request.sessionToken, row.sessionTokenSecretId) : null;
  }

  private async resolveSecret(manager: EntityManager, auth: AuthContext, row: ConnectionEntity, field: 'secretAccessKey' | 'sessionToken', ref: SecretRefDto, currentId: string | null): Promise<string> {
    if (ref.secret !== undefined) {
      try {
        return (await this.secrets.find(manager, auth.workspaceId, ref.secret)).id;
      } catch (error) {
        if (error instanceof TetherError && error.code === 'not-found') {
          throw TetherError.field(`auth.${field}.secret`, `no secret '${ref.secret}' in this workspace; create it with POST /secrets first`);
        }
        throw error;
      }
    }
    const current = currentId ? await this.secrets.find(manager, auth.workspaceId, currentId) : null;
    if (current && current.ownerConnectionId === row.id) {
      await this.secrets.replaceValue(manager, current, ref.value as string);
      return current.id;
    }
    const name = `${row.name.slice(0, 40)}__${field === 'secretAccessKey' ? 'secret_access_key' : 'session_token'}`;
    try {
      return (await this.secrets.insert(manager, auth.workspaceId, name, ref.value as string, row.id)).id;
    } catch (error) {
      if (error instanceof TetherError && error.code === 'conflict') {
        throw TetherError.field(`auth.${field}.value`, `would be stored as secret '${name}', but a secret of that name exists; reference a secret by name instead`);
      }
      throw error;
    }
  }
}

function resetValidation(row: ConnectionEntity): void {
  row.validationStatus = 'pending';
  row.validationCheckedAt = null;
  row.validationChecks = [];
}

/** If-Match accepts the current ETag, a weak form of it, or `*`. */
function ifMatchAccepts(header: string, etag: string): boolean {
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
