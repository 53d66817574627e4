/**
 * Inventory's API for other services. Orders hold, release and ship stock only through this
 * interface, never through inventory's tables. In one process it is a direct call (reservations
 * coalesced per process); a remote implementation would speak HTTP to the same operations.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import { holdCoalescer } from './hold-coalescer.ts';
import {
  type ConsumeOp,
  type ConsumeResult,
  consumeHolds,
  type HolderType,
  type HoldLine,
  type HoldOp,
  type HoldResult,
  releaseExpiredHolds,
} from './holds.ts';
import { type ReceiveOp, type ReceiveResult, receiveStock } from './receipts.ts';
import type { ReorderSettings } from './schemas.ts';
import { readAvailable, setReorder } from './stock.ts';

export interface InventoryClient {
  /** Available units of these skus (the catalog's spelling) per warehouse in a scope. */
  available(
    skus: readonly string[],
    scope: 'all' | string[],
  ): Promise<{ warehouseId: string; sku: string; available: number }[]>;
  /** Reserve / release / keep, all or nothing per call. */
  hold(op: HoldOp): Promise<HoldResult>;
  /** Ship held units (idempotent by operationId). */
  consume(op: ConsumeOp): Promise<ConsumeResult>;
  /** What a holder holds now. */
  holdsOf(holderType: HolderType, holderId: string): Promise<(HoldLine & { expiresAt: string | null })[]>;
  /** Holders whose holds have expired. */
  expiredHolders(limit: number): Promise<{ holderType: HolderType; holderId: string }[]>;
  /** Release what has expired for these holders (re-checked under the lock). */
  releaseExpired(holders: { holderType: HolderType; holderId: string }[]): Promise<void>;
  /** Goods arrived (receipt movements), once per operationId; backorders are allocated after. */
  receive(op: ReceiveOp): Promise<ReceiveResult>;
  /** Sets a level's reorder point and quantity (purchasing's suggestions, applied). */
  setReorder(warehouseId: string, sku: string, settings: ReorderSettings): Promise<void>;
}

export function createLocalInventoryClient(db: Database): InventoryClient {
  const coalescer = holdCoalescer(db);
  return {
    available: (skus, scope) => readAvailable(db, skus, scope),
    hold: (op) => coalescer.submit(op),
    consume: (op) => consumeHolds(db, op),
    async holdsOf(holderType, holderId) {
      const { rows } = await db.execute<{
        warehouse_id: string;
        sku: string;
        qty: number;
        expires_at: Date | null;
      }>(sql`
        select warehouse_id, sku, qty, expires_at from inventory.reservations
        where holder_type = ${holderType} and holder_id = ${holderId}
        order by warehouse_id, sku`);
      return rows.map((r) => ({
        warehouseId: r.warehouse_id,
        sku: r.sku,
        qty: r.qty,
        expiresAt: r.expires_at ? new Date(r.expires_at).toISOString() : null,
      }));
    },
    async expiredHolders(limit) {
      const { rows } = await db.execute<{ holder_type: HolderType; holder_id: string }>(sql`
        select distinct holder_type, holder_id from inventory.reservations
        where expires_at < now() limit ${limit}`);
      return rows.map((r) => ({ holderType: r.holder_type, holderId: r.holder_id }));
    },
    async releaseExpired(holders) {
      await releaseExpiredHolds(db, holders);
    },
    receive: (op) => receiveStock(db, op),
    async setReorder(warehouseId, sku, settings) {
      await setReorder(db, warehouseId, sku, settings);
    },
  };
}

/** The methods the HTTP form of the client calls, by name. */
export const inventoryMethods: readonly (keyof InventoryClient)[] = [
  'available',
  'hold',
  'consume',
  'holdsOf',
  'expiredHolders',
  'releaseExpired',
  'receive',
  'setReorder',
];

/** Arguments as JSON carried them, with their dates back as dates. */
export function reviveArgs(method: keyof InventoryClient, args: unknown[]): unknown[] {
  if (method !== 'hold') return args;
  const op = args[0] as HoldOp & { expiresAt: string | null };
  return [{ ...op, expiresAt: op.expiresAt ? new Date(op.expiresAt) : null }];
}

/**
 * Inventory in another process: the same interface over HTTP (see internal-routes.ts). Holds
 * are still coalesced, by the inventory process's own batcher.
 */
export function createHttpInventoryClient(baseUrl: string, secret: string): InventoryClient {
  const call = async <T>(method: keyof InventoryClient, args: unknown[]): Promise<T> => {
    const res = await fetch(`${baseUrl}/internal/inventory/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(args),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok)
      throw new Error(`inventory ${method} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return ((await res.json()) as { result: T }).result;
  };
  return {
    available: (skus, scope) => call('available', [skus, scope]),
    hold: (op) => call('hold', [op]),
    consume: (op) => call('consume', [op]),
    holdsOf: (holderType, holderId) => call('holdsOf', [holderType, holderId]),
    expiredHolders: (limit) => call('expiredHolders', [limit]),
    releaseExpired: (holders) => call('releaseExpired', [holders]),
    receive: (op) => call('receive', [op]),
    setReorder: (warehouseId, sku, settings) => call('setReorder', [warehouseId, sku, settings]),
  };
}
