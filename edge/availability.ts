/**
 * GET /api/products/:sku/availability at the edge, from the warehouse rooms (Durable Objects),
 * not Postgres: each room in the caller's scope answers for its warehouse, its level and what
 * is on order (the room follows purchase orders too; a sku on order where it has no level yet
 * is listed with nothing on hand, as core answers). A room that has
 * never been filled rebuilds itself from Postgres first. Only the list of warehouses (ids and
 * codes, which rarely change) is read from Postgres, and kept per isolate.
 */
import {
  type Availability,
  type WarehouseAvailability,
  withOnOrder,
} from '../core/inventory/availability.ts';
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
  const { generation } = await catalogView(c);
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
  const perWarehouse = await Promise.all(inScope.map((w) => roomAvailability(c.env, w, [sku])));
  const warehouses = perWarehouse.flatMap((bySku) => bySku.get(sku) ?? []).sort(byCode);
  return {
    sku,
    warehouses,
    available: warehouses.reduce((n, w) => n + w.available, 0),
    onOrder: warehouses.reduce((n, w) => n + (w.onOrder ?? 0), 0),
  };
}

const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code);

/**
 * One room's answer for many skus in one call (GraphQL's batched loading asks this way): each
 * asked sku's entry in this warehouse, keyed as asked; a sku with no level and nothing on order
 * has none.
 */
export async function roomAvailability(
  env: EdgeBindings,
  warehouse: { id: string; code: string },
  skus: string[],
): Promise<Map<string, WarehouseAvailability>> {
  const room = env.WAREHOUSE_ROOMS.get(env.WAREHOUSE_ROOMS.idFromName(warehouse.id));
  const { levels, onOrder } = await room.availabilitySynced(warehouse.id, skus);
  const codes = new Map([[warehouse.id, warehouse.code]]);
  const entries = new Map<string, WarehouseAvailability>();
  for (const sku of skus) {
    const same = (s: string) => s.toLowerCase() === sku.toLowerCase();
    const held = levels
      .filter((l) => same(l.sku))
      .map((l) => ({
        warehouseId: warehouse.id,
        code: warehouse.code,
        onHand: l.onHand,
        reserved: l.reserved,
        available: l.available,
        version: l.version,
      }));
    const [entry] = withOnOrder(
      held,
      onOrder.filter((o) => same(o.sku)),
      codes,
    );
    if (entry) entries.set(sku, entry);
  }
  return entries;
}
