import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { Brackets, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { TetherError } from '../problem/tether-error';
import { Optional } from './optional';

export class PageQuery {
  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page\'s nextCursor.', maxLength: 200 })
  @Optional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Items per page.', minimum: 1, maximum: 200, default: 50 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

/** A page of items; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function pageSchema(itemRef: string): Record<string, unknown> {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: { $ref: itemRef } }, nextCursor: { type: 'string', nullable: true } },
  };
}

interface Position {
  createdAt: string;
  id: string;
}

function decodeCursor(cursor: string): Position {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Position>;
    if (typeof parsed.createdAt === 'string' && typeof parsed.id === 'string' && !Number.isNaN(Date.parse(parsed.createdAt)) && /^[0-9a-f-]{36}$/.test(parsed.id)) {
      return { createdAt: parsed.createdAt, id: parsed.id };
    }
  } catch {
    // fall through to the 400 below
  }
  throw TetherError.field('cursor', 'is not a cursor this API issued; pass nextCursor from the previous page unchanged');
}

/**
 * Keyset pagination on (created_at, id): stable while rows are added, no OFFSET scans.
 * The query builder's alias must have `createdAt` and `id`.
 */
export async function paginate<T extends ObjectLiteral & { id: string; createdAt: Date }>(
  query: SelectQueryBuilder<T>,
  { cursor, limit = 50 }: PageQuery,
): Promise<Page<T>> {
  const alias = query.alias;
  if (cursor) {
    const after = decodeCursor(cursor);
    query.andWhere(
      new Brackets((qb) => {
        qb.where(`${alias}.createdAt > :afterCreatedAt`, { afterCreatedAt: after.createdAt }).orWhere(
          `${alias}.createdAt = :afterCreatedAt AND ${alias}.id > :afterId`,
          { afterId: after.id },
        );
      }),
    );
  }
  const rows = await query.orderBy(`${alias}.createdAt`, 'ASC').addOrderBy(`${alias}.id`, 'ASC').take(limit + 1).getMany();
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > limit && last ? Buffer.from(JSON.stringify({ createdAt: last.createdAt.toISOString(), id: last.id })).toString('base64url') : null;
  return { items, nextCursor };
}
