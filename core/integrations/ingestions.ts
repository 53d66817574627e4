/** The platform orders received, newest first: those needing attention say why. */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import { newestFirst } from '../platform/newest-first.ts';
import type { IngestionView } from './ingestion-schemas.ts';
import { deliveries, ingestions } from './tables.ts';

type IngestionRow = typeof ingestions.$inferSelect;
// What the list shows of a delivery (not its payload).
const deliveryColumns = {
  ingestionId: deliveries.ingestionId,
  deliveryId: deliveries.deliveryId,
  topic: deliveries.topic,
  receivedAt: deliveries.receivedAt,
  processedAt: deliveries.processedAt,
  skippedReason: deliveries.skippedReason,
};
type DeliveryRow = { [K in keyof typeof deliveryColumns]: (typeof deliveries.$inferSelect)[K] };

const deliveryView = (d: DeliveryRow): IngestionView['deliveries'][number] => ({
  deliveryId: d.deliveryId,
  topic: d.topic,
  receivedAt: d.receivedAt.toISOString(),
  processedAt: d.processedAt?.toISOString() ?? null,
  skippedReason: d.skippedReason,
});

const ingestionView = (r: IngestionRow, received: DeliveryRow[]): IngestionView => ({
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
  deliveries: received.filter((d) => d.ingestionId === r.id).map(deliveryView),
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
  const received =
    items.length === 0
      ? []
      : await db
          .select(deliveryColumns)
          .from(deliveries)
          .where(
            inArray(
              deliveries.ingestionId,
              items.map((i) => i.id),
            ),
          )
          .orderBy(asc(deliveries.receivedAt));
  return { items: items.map((i) => ingestionView(i, received)), nextCursor };
}
