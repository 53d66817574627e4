/**
 * The purchase orders a warehouse room holds, so availability at the edge shows what is on order
 * without a database call: filled by the room's rebuild (the warehouse's submitted orders), then
 * kept current by the purchase_order.updated events the jobs runner delivers to the room. Each
 * event carries the whole order with its version; a version not newer than the one held changes
 * nothing, so events arriving twice or out of order are harmless. Orders that ended stay as
 * tombstones (status only) until the next rebuild, so a late older event cannot revive them.
 */
import { type OnOrder, type OpenPurchaseOrder, onOrderFrom } from '../core/purchasing/on-order-reads.ts';

export class RoomPurchaseOrders {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS purchase_order (
      id TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      status TEXT NOT NULL,
      expected_at TEXT,
      lines TEXT NOT NULL
    )`);
  }

  /** An order as an event carries it (anything else is ignored), if newer than the one held. */
  applyEvent(data: Record<string, unknown>): void {
    const po = asPurchaseOrder(data);
    if (po) this.apply(po);
  }

  private apply(po: OpenPurchaseOrder): void {
    this.sql.exec(
      `INSERT INTO purchase_order (id, version, status, expected_at, lines) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, status = excluded.status,
         expected_at = excluded.expected_at, lines = excluded.lines
       WHERE excluded.version > purchase_order.version`,
      po.id,
      po.version,
      po.status,
      po.expectedAt,
      JSON.stringify(po.lines.map((l) => ({ sku: l.sku, qty: l.qty, received: l.received }))),
    );
  }

  /**
   * After a rebuild's read of the open orders: those are applied by version, and every other
   * order held is dropped (ended in Postgres, or a tombstone no longer needed).
   */
  replace(open: OpenPurchaseOrder[]): void {
    const ids = new Set(open.map((po) => po.id));
    for (const { id } of this.sql.exec<{ id: string }>('SELECT id FROM purchase_order').toArray())
      if (!ids.has(id)) this.sql.exec('DELETE FROM purchase_order WHERE id = ?', id);
    for (const po of open) this.apply(po);
  }

  onOrder(warehouseId: string, skus: readonly string[]): OnOrder[] {
    const rows = this.sql
      .exec<{ id: string; version: number; status: string; expected_at: string | null; lines: string }>(
        "SELECT id, version, status, expected_at, lines FROM purchase_order WHERE status IN ('submitted', 'partially_received')",
      )
      .toArray();
    const orders = rows.map((r) => ({
      id: r.id,
      version: r.version,
      status: r.status,
      expectedAt: r.expected_at,
      lines: JSON.parse(r.lines) as OpenPurchaseOrder['lines'],
    }));
    return onOrderFrom(orders, warehouseId, skus);
  }
}

/** The fields of a purchase order view this store needs, checked (event data is JSON from afar). */
function asPurchaseOrder(data: Record<string, unknown>): OpenPurchaseOrder | null {
  const { id, version, status, expectedAt, lines } = data;
  if (typeof id !== 'string' || typeof version !== 'number' || typeof status !== 'string') return null;
  if (!Array.isArray(lines)) return null;
  const checked = lines.flatMap((l: unknown) => {
    const { sku, qty, received } = (l ?? {}) as Record<string, unknown>;
    return typeof sku === 'string' && typeof qty === 'number' && typeof received === 'number'
      ? [{ sku, qty, received }]
      : [];
  });
  return {
    id,
    version,
    status,
    expectedAt: typeof expectedAt === 'string' ? expectedAt : null,
    lines: checked,
  };
}
