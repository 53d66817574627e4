import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { type Database, isUniqueViolation } from '../platform/database.ts';
import { returnedRow } from '../platform/invariant.ts';
import { enqueueEvent, enqueueJob } from '../platform/outbox.ts';
import { decodeCursor, encodeCursor } from '../platform/pagination.ts';
import { ConflictError, NotFoundError } from '../platform/problem.ts';
import type { CreateWarehouse, WarehouseView } from './schemas.ts';
import { warehouses } from './tables.ts';

type WarehouseRow = typeof warehouses.$inferSelect;

function toView(row: WarehouseRow): WarehouseView {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    timezone: row.timezone,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Creates a warehouse and, in the same transaction, its `warehouse.created` event. */
export async function createWarehouse(
  db: Database,
  input: CreateWarehouse,
  requestId: string,
): Promise<WarehouseView> {
  try {
    return await db.transaction(async (tx) => {
      const view = toView(returnedRow(await tx.insert(warehouses).values(input).returning()));
      await enqueueEvent(tx, { type: 'warehouse.created', warehouseId: view.id, data: view, requestId });
      // The edge keeps its warehouse list under the catalog generation: move it on.
      await enqueueJob(tx, 'purge-edge-catalog', [{ scope: 'all' }], { jobKey: 'purge-edge-catalog' });
      return view;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError(`A warehouse with code ${input.code} exists already.`);
    throw err;
  }
}

const cursorSchema = z.object({ code: z.string() });
const NONE = '00000000-0000-0000-0000-000000000000';

export async function getWarehouse(db: Database, id: string): Promise<WarehouseView> {
  const [row] = await db.select().from(warehouses).where(eq(warehouses.id, id));
  if (!row) throw new NotFoundError('No such warehouse.');
  return toView(row);
}

/** A page of warehouses by code, limited to a scope ('all', or these ids). */
export async function listWarehouses(
  db: Database,
  page: { limit: number; cursor?: string | undefined },
  scope: 'all' | string[],
) {
  const after = page.cursor ? decodeCursor(page.cursor, cursorSchema).code : undefined;
  const rows = await db
    .select()
    .from(warehouses)
    .where(
      and(
        after === undefined ? undefined : gt(warehouses.code, after),
        scope === 'all' ? undefined : inArray(warehouses.id, scope.length > 0 ? scope : [NONE]),
      ),
    )
    .orderBy(asc(warehouses.code))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit).map(toView);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor({ code: last.code }) : null };
}
