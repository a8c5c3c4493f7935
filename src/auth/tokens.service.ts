import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { isUuid } from '../common/http/identifier';
import { PageQuery, paginate, Page } from '../common/http/pagination';
import { PromiseOrValue } from '../common/promise-or-value';
import { TetherError } from '../common/problem/tether-error';
import { Clock, systemClock, TtlCache } from '../common/cache/ttl-cache';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { FleetChannel } from '../database/fleet-channel';
import { isUniqueViolation } from '../database/pg-errors';
import { ApiTokenEntity } from './api-token.entity';
import { AuthContext } from './auth-context';
import { CreatedTokenResponse, CreateTokenRequest, TokenResponse } from './dto/token.dto';
import { generateToken, hashToken, hashTokenHex } from './token-secret';
import { TokenRole } from './token-role';
import { WorkspaceEntity } from './workspace.entity';

export type Caller = Omit<AuthContext, 'requestId'>;

/** What the token cache keeps, under the token's SHA-256: the caller, and its expiry, checked on every hit. */
interface KnownToken {
  caller: Caller;
  expiresAt: number | null;
}

@Injectable()
export class TokensService {
  /**
   * Authenticated tokens by the SHA-256 of the token, so most requests do not read api_tokens.
   * Unknown tokens are not cached: a token created on another replica works at once.
   */
  private readonly known: TtlCache<KnownToken>;
  private clock: Clock = systemClock;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(TETHER_CONFIG) config: TetherConfig,
    @Inject(FleetChannel) private readonly fleet: FleetChannel,
  ) {
    this.known = new TtlCache<KnownToken>(config.lookupCacheSeconds * 1000);
    fleet.subscribe('token', (tokenId) => this.forget(tokenId));
  }

  private forget(tokenId: string): void {
    this.known.deleteWhere((known) => known.caller.tokenId === tokenId);
  }

  /** Test hook: the clock token expiry and the cache's lifetime are measured with. */
  useClock(clock: Clock): void {
    this.clock = clock;
    this.known.useClock(clock);
  }

  /**
   * Resolves a presented token, or null when it is unknown, deleted or expired. A token this
   * process knows is answered at once, without a promise; only a lookup in api_tokens is async.
   */
  authenticate(presented: string): PromiseOrValue<Caller | null> {
    const key = hashTokenHex(presented);
    const token = this.known.get(key);
    return token ? this.check(token, key) : this.lookUp(key);
  }

  private async lookUp(key: string): Promise<Caller | null> {
    const since = this.known.mark();
    const row = await this.dataSource.getRepository(ApiTokenEntity).findOneBy({ tokenHash: Buffer.from(key, 'hex') });
    if (!row) return null;
    const workspace = row.provenance ? await this.dataSource.getRepository(WorkspaceEntity).findOneBy({ id: row.workspaceId }) : null;
    const token: KnownToken = {
      caller: {
        workspaceId: row.workspaceId,
        tokenId: row.id,
        tokenName: row.name,
        role: row.role,
        connections: row.connections,
        isBootstrap: row.isBootstrap,
        ...(workspace ? { provenance: { workspaceName: workspace.name } } : {}),
      },
      expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
    };
    this.known.set(key, token, since);
    return this.check(token, key);
  }

  private check(token: KnownToken, key: string): Caller | null {
    // Checked on every hit, so a cached token stops working the moment it expires.
    if (token.expiresAt !== null && token.expiresAt <= this.clock.now()) {
      this.known.delete(key);
      return null;
    }
    return token.caller;
  }

  async create(auth: AuthContext, request: CreateTokenRequest): Promise<CreatedTokenResponse> {
    if (request.connections && request.role !== 'service') {
      throw TetherError.field('connections', 'only service tokens can be limited to connections; drop the field or use role service');
    }
    if (request.expiresAt && Date.parse(request.expiresAt) <= Date.now()) {
      throw TetherError.field('expiresAt', 'is in the past; give a future time or omit it');
    }
    return this.audit.mutate(auth, { action: 'token.create', targetType: 'token', detail: { name: request.name, role: request.role, ...(request.provenance ? { provenance: true } : {}) } }, async (manager, target) => {
      const created = await this.insert(manager, auth.workspaceId, request.name, request.role, {
        connections: request.connections ? [...new Set(request.connections)] : null,
        expiresAt: request.expiresAt ? new Date(request.expiresAt) : null,
        provenance: request.provenance ?? false,
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
    options: { connections?: string[] | null; expiresAt?: Date | null; token?: string; isBootstrap?: boolean; provenance?: boolean } = {},
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
          provenance: options.provenance ?? false,
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
    // This replica refuses it from now on, the others once told (or at worst once their copy is
    // older than TETHER_LOOKUP_CACHE_SECONDS).
    this.forget(token.id);
    this.fleet.publish('token', token.id);
  }
}

export function toTokenResponse(row: ApiTokenEntity): TokenResponse {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    connections: row.connections,
    expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
    provenance: row.provenance,
    createdAt: row.createdAt.toISOString(),
  };
}
