import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { isUuid } from '../common/http/identifier';
import { PageQuery, paginate, Page } from '../common/http/pagination';
import { TetherError } from '../common/problem/tether-error';
import { isUniqueViolation } from '../database/pg-errors';
import { ApiTokenEntity } from './api-token.entity';
import { AuthContext } from './auth-context';
import { CreatedTokenResponse, CreateTokenRequest, TokenResponse } from './dto/token.dto';
import { generateToken, hashToken, sameHash } from './token-secret';
import { TokenRole } from './token-role';

export type Caller = Omit<AuthContext, 'requestId'>;

@Injectable()
export class TokensService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  /** Resolves a presented token, or null when it is unknown or expired. */
  async authenticate(presented: string, now = new Date()): Promise<Caller | null> {
    const hash = hashToken(presented);
    const token = await this.dataSource.getRepository(ApiTokenEntity).findOneBy({ tokenHash: hash });
    // The row was found by its hash; the constant-time compare keeps the check itself free of timing signals.
    if (!token || !sameHash(token.tokenHash, hash)) return null;
    if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return null;
    return {
      workspaceId: token.workspaceId,
      tokenId: token.id,
      tokenName: token.name,
      role: token.role,
      connections: token.connections,
      isBootstrap: token.isBootstrap,
    };
  }

  async create(auth: AuthContext, request: CreateTokenRequest): Promise<CreatedTokenResponse> {
    if (request.connections && request.role !== 'service') {
      throw TetherError.field('connections', 'only service tokens can be limited to connections; drop the field or use role service');
    }
    if (request.expiresAt && Date.parse(request.expiresAt) <= Date.now()) {
      throw TetherError.field('expiresAt', 'is in the past; give a future time or omit it');
    }
    return this.audit.mutate(auth, { action: 'token.create', targetType: 'token', detail: { name: request.name, role: request.role } }, async (manager, target) => {
      const created = await this.insert(manager, auth.workspaceId, request.name, request.role, {
        connections: request.connections ? [...new Set(request.connections)] : null,
        expiresAt: request.expiresAt ? new Date(request.expiresAt) : null,
      });
      target.targetId = created.id;
      return created;
    });
  }

  /** Inserts a token and returns it with its one-time secret. */
  async insert(
    manager: EntityManager,
    workspaceId: string,
    name: string,
    role: TokenRole,
    options: { connections?: string[] | null; expiresAt?: Date | null; token?: string; isBootstrap?: boolean } = {},
  ): Promise<CreatedTokenResponse> {
    const token = options.token ?? generateToken();
    try {
      const row = await manager.getRepository(ApiTokenEntity).save(
        manager.getRepository(ApiTokenEntity).create({
          workspaceId,
          name,
          role,
          tokenHash: hashToken(token),
          connections: options.connections ?? null,
          expiresAt: options.expiresAt ?? null,
          isBootstrap: options.isBootstrap ?? false,
        }),
      );
      return { ...toTokenResponse(row), token };
    } catch (error) {
      if (isUniqueViolation(error, 'uq_api_tokens_name')) {
        throw new TetherError('conflict', `A token named '${name}' already exists in this workspace; pick another name.`, {
          errors: [{ field: 'name', message: 'is already used by another token' }],
        });
      }
      throw error;
    }
  }

  async list(auth: AuthContext, page: PageQuery): Promise<Page<TokenResponse>> {
    const query = this.dataSource.getRepository(ApiTokenEntity).createQueryBuilder('token').where('token.workspaceId = :workspaceId', { workspaceId: auth.workspaceId });
    const result = await paginate(query, page);
    return { items: result.items.map(toTokenResponse), nextCursor: result.nextCursor };
  }

  async delete(auth: AuthContext, id: string): Promise<void> {
    const token = isUuid(id) ? await this.dataSource.getRepository(ApiTokenEntity).findOneBy({ id, workspaceId: auth.workspaceId }) : null;
    if (!token) throw TetherError.notFound('token', id);
    if (token.isBootstrap) {
      throw new TetherError('conflict', 'The bootstrap token is managed by TETHER_BOOTSTRAP_TOKEN; change the variable and restart to replace it.');
    }
    await this.audit.mutate(auth, { action: 'token.delete', targetType: 'token', targetId: token.id, detail: { name: token.name } }, async (manager) => {
      await manager.getRepository(ApiTokenEntity).delete({ id: token.id, workspaceId: auth.workspaceId });
    });
  }
}

export function toTokenResponse(row: ApiTokenEntity): TokenResponse {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    connections: row.connections,
    expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}
