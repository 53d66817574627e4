import { DurableObject } from 'cloudflare:workers';

/** One stock level as the room holds it, with the ledger version it reflects. */
export interface RoomLevel {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  version: number;
}

export interface RoomSnapshot {
  warehouseId: string;
  version: number;
  levels: RoomLevel[];
}

type LevelRow = { sku: string; on_hand: number; reserved: number; version: number };

/**
 * The per-warehouse Durable Object: a projection of the warehouse's stock levels in SQLite
 * storage, each level carrying the ledger version it reflects, so an update that arrives twice
 * or out of order changes nothing. Postgres stays the source of truth. (Versioned updates, the
 * WebSocket room and the rebuild from Postgres arrive with the real-time issue.)
 */
export class WarehouseStockRoom extends DurableObject {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS level (
      sku TEXT PRIMARY KEY,
      on_hand INTEGER NOT NULL,
      reserved INTEGER NOT NULL,
      version INTEGER NOT NULL
    )`);
  }

  /** Every level the room holds, and the highest version among them. */
  async snapshot(warehouseId: string): Promise<RoomSnapshot> {
    const rows = this.ctx.storage.sql
      .exec<LevelRow>('SELECT sku, on_hand, reserved, version FROM level ORDER BY sku')
      .toArray();
    const levels = rows.map((r) => ({
      sku: r.sku,
      onHand: r.on_hand,
      reserved: r.reserved,
      available: r.on_hand - r.reserved,
      version: r.version,
    }));
    return { warehouseId, version: Math.max(0, ...levels.map((l) => l.version)), levels };
  }
}
