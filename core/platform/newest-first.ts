import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from './pagination.ts';

const cursorSchema = z.object({ at: z.string(), id: z.uuid() });

/**
 * Keyset pagination newest first, by (created_at, id). Timestamps compare to the millisecond,
 * as the cursor carries them, so a page boundary never splits two rows of one microsecond.
 */
export function newestFirst(createdAt: PgColumn, id: PgColumn, cursor: string | undefined) {
  const createdMs = sql`date_trunc('milliseconds', ${createdAt})`;
  const after = cursor ? decodeCursor(cursor, cursorSchema) : null;
  return {
    where: after ? sql`(${createdMs}, ${id}) < (${after.at}::timestamptz, ${after.id}::uuid)` : undefined,
    orderBy: [sql`${createdMs} desc`, sql`${id} desc`] as SQL[],
    /** The page of `rows` (fetched with limit + 1) and the cursor of the next one. */
    page<R extends { createdAt: Date; id: string }>(rows: R[], limit: number) {
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const nextCursor =
        rows.length > limit && last ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id }) : null;
      return { items, nextCursor };
    },
  };
}
