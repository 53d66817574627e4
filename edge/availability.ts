/**
 * GET /api/products/:sku/availability at the edge, from the warehouse rooms (Durable Objects),
 * not Postgres: each room in the caller's scope answers for its warehouse, its level and what
 * is on order (the room follows purchase orders too; a sku on order where it has no level yet
 * is listed with nothing on hand, as core answers). A room that has
 * never been filled rebuilds itself from Postgres first. Only the list of warehouses (ids and
 * codes, which rarely change) is read from Postgres, and kept per isolate.
 */
import { type Availability, withOnOrder } from '../core/inventory/availability.ts';
import { catalogView } from './catalog.ts';
import { catalogReader } from './catalog-reader.ts';
import type { EdgeBindings } from './env.ts';

/** What availability needs of the request: the bindings, and a way to finish work after it. */
interface EdgeRequest {
  env: EdgeBindings;
  waitUntil(promise: Promise<unknown>): void;
}

let directory: { generation: number; warehouses: { id: string; code: string }[] } | undefined;

/**
 * Warehouse ids and codes, kept per isolate under the catalog generation: creating a warehouse
 * purges the whole edge catalog, so a new one shows within a second. Any product change reloads
 * it too (one small query per isolate, on a kept connection), which also picks up warehouses
 * written to Postgres some other way (the tests' stock worlds, a hand-made fix).
 */
export async function warehouseDirectory(c: EdgeRequest) {
  const { generation } = await catalogView(c.env);
  if (directory?.generation === generation) return directory.warehouses;
  const warehouses = await catalogReader(c.env, 'warehouses').warehouses();
  directory = { generation, warehouses };
  return warehouses;
}

export async function availabilityAtEdge(
  c: EdgeRequest,
  caller: { roles: string[]; warehouseIds: string[] },
  sku: string,
): Promise<Availability> {
  const all = await warehouseDirectory(c);
  const inScope = caller.roles.includes('admin')
    ? all
    : all.filter((w) => caller.warehouseIds.includes(w.id));
  const perWarehouse = await Promise.all(
    inScope.map(async (w) => {
      const room = c.env.WAREHOUSE_ROOMS.get(c.env.WAREHOUSE_ROOMS.idFromName(w.id));
      const { levels, onOrder } = await room.availabilitySynced(w.id, [sku]);
      const held = levels.map((l) => ({
        warehouseId: w.id,
        code: w.code,
        onHand: l.onHand,
        reserved: l.reserved,
        available: l.available,
        version: l.version,
      }));
      return withOnOrder(held, onOrder, new Map([[w.id, w.code]]));
    }),
  );
  const warehouses = perWarehouse.flat().sort((a, b) => a.code.localeCompare(b.code));
  return {
    sku,
    warehouses,
    available: warehouses.reduce((n, w) => n + w.available, 0),
    onOrder: warehouses.reduce((n, w) => n + (w.onOrder ?? 0), 0),
  };
}
