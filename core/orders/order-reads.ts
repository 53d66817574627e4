/** Reading orders: one by id, a page of those the caller may read, and which are still live. */
import { and, eq, sql } from 'drizzle-orm';
import type { Principal } from '../identity/policy.ts';
import type { Database } from '../platform/database.ts';
import { newestFirst } from '../platform/newest-first.ts';
import { assertMayTouchOrder, readableOrders } from './order-access.ts';
import { liveStatuses, type OrderStatus } from './order-model.ts';
import { loadOrder, orderView } from './order-store.ts';
import type { OrderView } from './schemas.ts';
import { orderRecords } from './tables.ts';

export async function readOrder(db: Database, id: string, principal: Principal): Promise<OrderView> {
  const order = await loadOrder(db, id);
  assertMayTouchOrder(principal, 'orders:read', order);
  return orderView(order);
}

/** Newest first; an order shows when the caller may read it (readableOrders: orderReadScope). */
export async function listOrders(
  db: Database,
  query: {
    status?: OrderStatus | undefined;
    warehouseId?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
  principal: Principal,
) {
  const order = newestFirst(orderRecords.createdAt, orderRecords.id, query.cursor);
  const rows = await db
    .select()
    .from(orderRecords)
    .where(
      and(
        query.status ? eq(orderRecords.status, query.status) : undefined,
        query.warehouseId ? sql`${query.warehouseId}::uuid = any(${orderRecords.warehouseIds})` : undefined,
        readableOrders(principal),
        order.where,
      ),
    )
    .orderBy(...order.orderBy)
    .limit(query.limit + 1);
  const { items, nextCursor } = order.page(rows, query.limit);
  return { items: items.map(orderView), nextCursor };
}

/** Which of these orders still want their stock (liveStatuses), for the hold sweep. */
export async function liveOrderIds(db: Database, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.execute<{ id: string }>(sql`
    select id from orders.orders where id = any(${sql.param(ids)}::uuid[])
      and status = any(${sql.param(liveStatuses)}::text[])`);
  return new Set(rows.map((r) => r.id));
}

/** The id of the order this owner placed with this channel and externalRef (the unique key). */
export async function orderIdByExternalRef(
  db: Database,
  owner: Pick<Principal, 'kind' | 'id'>,
  channel: string,
  externalRef: string,
): Promise<string | undefined> {
  const { rows } = await db.execute<{ id: string }>(sql`
    select id from orders.orders
    where coalesce(owner_kind, '') = ${owner.kind}
      and coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = ${owner.id}::uuid
      and coalesce(channel, '') = ${channel} and external_ref = ${externalRef}`);
  return rows[0]?.id;
}
