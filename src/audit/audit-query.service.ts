import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthContext } from '../auth/auth-context';
import { Page, paginate } from '../common/http/pagination';
import { AuditEventEntity } from './audit-event.entity';
import { AuditEventResponse, AuditQuery } from './dto/audit.dto';

/** Reads the trail for the console and ops teams. */
@Injectable()
export class AuditQueryService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async list(auth: AuthContext, query: AuditQuery): Promise<Page<AuditEventResponse>> {
    const qb = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('event').where('event.workspaceId = :workspaceId', { workspaceId: auth.workspaceId });
    if (query.action?.endsWith('*')) qb.andWhere('event.action LIKE :prefix', { prefix: `${query.action.slice(0, -1)}%` });
    else if (query.action) qb.andWhere('event.action = :action', { action: query.action });
    if (query.connection) qb.andWhere('event.connectionId = :connection', { connection: query.connection });
    if (query.actor) qb.andWhere('event.actorTokenId = :actor', { actor: query.actor });
    if (query.outcome) qb.andWhere('event.outcome = :outcome', { outcome: query.outcome });
    if (query.from) qb.andWhere('event.createdAt >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('event.createdAt < :to', { to: new Date(query.to) });
    const page = await paginate(qb, query);
    return { items: page.items.map(toAuditEventResponse), nextCursor: page.nextCursor };
  }
}

export function toAuditEventResponse(row: AuditEventEntity): AuditEventResponse {
  return {
    id: row.id,
    at: row.createdAt.toISOString(),
    actor: { tokenId: row.actorTokenId, name: row.actorName },
    action: row.action,
    target: { type: row.targetType, id: row.targetId },
    connectionId: row.connectionId,
    outcome: row.outcome,
    detail: row.detail,
    requestId: row.requestId,
  };
}
