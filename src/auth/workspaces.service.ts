import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthContext } from './auth-context';
import { TETHER_CONFIG, TetherConfig } from '../config/load-config';
import { LOGGER } from '../common/logging/logger.token';
import { PageQuery, paginate, Page } from '../common/http/pagination';
import { TetherError } from '../common/problem/tether-error';
import { isUniqueViolation } from '../database/pg-errors';
import { ApiTokenEntity } from './api-token.entity';
import { CreatedWorkspaceResponse, WorkspaceResponse } from './dto/workspace.dto';
import { generateToken, hashToken } from './token-secret';
import { TokensService } from './tokens.service';
import { WorkspaceEntity } from './workspace.entity';

export const DEFAULT_WORKSPACE = 'default';

@Injectable()
export class WorkspacesService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(TETHER_CONFIG) private readonly config: TetherConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async create(auth: AuthContext, name: string): Promise<CreatedWorkspaceResponse> {
    try {
      return await this.audit.mutate(auth, { action: 'workspace.create', targetType: 'workspace', detail: { name } }, async (manager, target) => {
        const workspace = await manager.getRepository(WorkspaceEntity).save(manager.getRepository(WorkspaceEntity).create({ name }));
        const admin = await this.tokens.insert(manager, workspace.id, 'admin', 'admin');
        target.targetId = workspace.id;
        return { ...toWorkspaceResponse(workspace), adminToken: admin.token };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_workspaces_name')) {
        throw new TetherError('conflict', `A workspace named '${name}' already exists; pick another name.`, {
          errors: [{ field: 'name', message: 'is already used by another workspace' }],
        });
      }
      throw error;
    }
  }

  async list(page: PageQuery): Promise<Page<WorkspaceResponse>> {
    const result = await paginate(this.dataSource.getRepository(WorkspaceEntity).createQueryBuilder('workspace'), page);
    return { items: result.items.map(toWorkspaceResponse), nextCursor: result.nextCursor };
  }

  /**
   * On an empty database: the default workspace and the operator's bootstrap token (generated and
   * printed once when TETHER_BOOTSTRAP_TOKEN is unset). Later starts replace the stored bootstrap
   * hash when the variable changed, so the operator rotates it by changing the variable.
   */
  async bootstrap(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Replicas starting together must not both create the default workspace.
      await manager.query('SELECT pg_advisory_xact_lock($1)', [0x7e7e_0002]);
      const tokens = manager.getRepository(ApiTokenEntity);
      const existing = await tokens.findOneBy({ isBootstrap: true });
      if (existing) {
        if (this.config.bootstrapToken && !existing.tokenHash.equals(hashToken(this.config.bootstrapToken))) {
          await tokens.update({ id: existing.id }, { tokenHash: hashToken(this.config.bootstrapToken) });
          this.logger.info('bootstrap token replaced from TETHER_BOOTSTRAP_TOKEN');
        }
        return;
      }
      const workspaces = manager.getRepository(WorkspaceEntity);
      const workspace = (await workspaces.findOneBy({ name: DEFAULT_WORKSPACE })) ?? (await workspaces.save(workspaces.create({ name: DEFAULT_WORKSPACE })));
      const token = this.config.bootstrapToken ?? generateToken();
      await this.tokens.insert(manager, workspace.id, 'bootstrap', 'admin', { token, isBootstrap: true });
      if (!this.config.bootstrapToken) {
        // Printed once, to the terminal only: never through the logger, whose lines are shipped.
        process.stderr.write(`\nTether bootstrap admin token (shown once, store it now):\n\n  ${token}\n\n`);
      }
    });
  }
}

export function toWorkspaceResponse(row: WorkspaceEntity): WorkspaceResponse {
  return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString() };
}
