import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthContext } from '../auth/auth-context';
import { Page, paginate } from '../common/http/pagination';
import { chainHash } from './audit-chain';
import { AuditEventEntity } from './audit-event.entity';
import { AuditEventResponse, AuditQuery } from './dto/audit.dto';

const EXPORT_PAGE = 500;

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstMismatch: { id: string; at: string; action: string; reason: string } | null;
}

function sameBytes(a: Buffer | null | undefined, b: Buffer | null | undefined): boolean {
  return (a ?? null) === null ? (b ?? null) === null : b != null && a!.equals(b);
}

/** Reads the trail for the console and ops teams. */
@Injectable()
export class AuditQueryService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async list(auth: AuthContext, query: AuditQuery): Promise<Page<AuditEventResponse>> {
    const page = await paginate(this.filtered(auth, query), query);
    return { items: page.items.map(toAuditEventResponse), nextCursor: page.nextCursor };
  }

  /** Every matching event as JSON lines, read a page at a time so an export never holds the trail in memory. */
  async *export(auth: AuthContext, query: AuditQuery): AsyncGenerator<string> {
    let cursor: string | undefined;
    do {
      const page = await paginate(this.filtered(auth, query), { cursor, limit: EXPORT_PAGE });
      for (const event of page.items) yield `${JSON.stringify(toAuditEventResponse(event))}\n`;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** Walks the workspace's hash chain in order and names the first event that does not match. */
  async verify(auth: AuthContext): Promise<AuditVerification> {
    const repository = this.dataSource.getRepository(AuditEventEntity);
    let previous: Buffer | null | undefined;
    let afterSeq = '0';
    let checked = 0;
    for (;;) {
      const rows = await repository
        .createQueryBuilder('event')
        .where('event.workspaceId = :workspaceId AND event.seq > :afterSeq', { workspaceId: auth.workspaceId, afterSeq })
        .orderBy('event.seq', 'ASC')
        .take(EXPORT_PAGE)
        .getMany();
      for (const row of rows) {
        // The oldest event kept anchors the chain (older ones may have been pruned by retention).
        const expectedPrevious = previous === undefined ? row.prevHash : previous;
        const reason = !sameBytes(row.prevHash, expectedPrevious)
          ? 'its previous-hash does not match the event before it (an event was removed or reordered)'
          : !sameBytes(row.hash, chainHash(expectedPrevious, row))
            ? 'its content does not match its hash (the event was changed)'
            : undefined;
        if (reason) return { ok: false, checked, firstMismatch: { id: row.id, at: row.createdAt.toISOString(), action: row.action, reason } };
        previous = row.hash;
        checked += 1;
      }
      if (rows.length < EXPORT_PAGE) return { ok: true, checked, firstMismatch: null };
      afterSeq = rows[rows.length - 1].seq;
    }
  }

  private filtered(auth: AuthContext, query: AuditQuery) {
    const qb = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('event').where('event.workspaceId = :workspaceId', { workspaceId: auth.workspaceId });
    if (query.action?.endsWith('*')) qb.andWhere('event.action LIKE :prefix', { prefix: `${query.action.slice(0, -1)}%` });
    else if (query.action) qb.andWhere('event.action = :action', { action: query.action });
    if (query.connection) qb.andWhere('event.connectionId = :connection', { connection: query.connection });
    if (query.actor) qb.andWhere('event.actorTokenId = :actor', { actor: query.actor });
    if (query.outcome) qb.andWhere('event.outcome = :outcome', { outcome: query.outcome });
    if (query.from) qb.andWhere('event.createdAt >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('event.createdAt < :to', { to: new Date(query.to) });
    return qb;
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
