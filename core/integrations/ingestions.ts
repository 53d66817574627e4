/** The platform orders received, newest first: those needing attention say why. */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import { newestFirst } from '../platform/newest-first.ts';
import type { IngestionView } from './ingestion-schemas.ts';
import { ingestions } from './tables.ts';

type IngestionRow = typeof ingestions.$inferSelect;

const ingestionView = (r: IngestionRow): IngestionView => ({
  id: r.id,
  connectionId: r.connectionId,
  externalOrderId: r.externalOrderId,
  externalNumber: r.externalNumber,
  status: r.status,
  reason: r.reason,
  orderId: r.orderId,
  lastTopic: r.lastTopic,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export async function listIngestions(
  db: Database,
  query: { status?: 'needs_attention' | 'done' | undefined; limit: number; cursor?: string | undefined },
) {
  const order = newestFirst(ingestions.createdAt, ingestions.id, query.cursor);
  const rows = await db
    .select()
    .from(ingestions)
    .where(and(query.status ? eq(ingestions.status, query.status) : undefined, order.where))
    .orderBy(...order.orderBy)
    .limit(query.limit + 1);
  const { items, nextCursor } = order.page(rows, query.limit);
  return { items: items.map(ingestionView), nextCursor };
}
