import { createHash } from 'node:crypto';
import type { AuditEventEntity } from './audit-event.entity';

export type ChainedFields = Pick<
  AuditEventEntity,
  'id' | 'workspaceId' | 'createdAt' | 'actorTokenId' | 'actorName' | 'action' | 'targetType' | 'targetId' | 'connectionId' | 'outcome' | 'detail' | 'requestId'
>;

/** JSON with object keys sorted at every depth: jsonb does not keep key order, the hash must not care. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** hash = SHA-256(previous hash ‖ canonical content): changing any field or any earlier event breaks every later hash. */
export function chainHash(previous: Buffer | null, event: ChainedFields): Buffer {
  const content = canonicalJson({
    id: event.id,
    workspaceId: event.workspaceId,
    at: event.createdAt.toISOString(),
    actorTokenId: event.actorTokenId,
    actorName: event.actorName,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    connectionId: event.connectionId,
    outcome: event.outcome,
    detail: event.detail,
    requestId: event.requestId,
  });
  return createHash('sha256').update(previous ?? Buffer.alloc(0)).update(content, 'utf8').digest();
}
