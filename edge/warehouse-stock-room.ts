import { DurableObject } from 'cloudflare:workers';
import { openEdgeClient } from './database.ts';
import type { LevelUpdate, RoomLevel, RoomSnapshot } from './room-types.ts';

export type { LevelUpdate, RoomLevel, RoomSnapshot };

import { type EdgeBindings, edgeConfig } from './env.ts';

type LevelRow = { sku: string; on_hand: number; reserved: number; version: number };

const toLevel = (r: LevelRow): RoomLevel => ({
  sku: r.sku,
  onHand: r.on_hand,
  reserved: r.reserved,
  available: r.on_hand - r.reserved,
  version: r.version,
});

/**
 * The per-warehouse Durable Object: a projection of the warehouse's stock levels in SQLite
 * storage, each level carrying the ledger version it reflects. An update applies only if its
 * version is newer than the one held, so one that arrives twice or out of order changes
 * nothing. Postgres stays the source of truth: resync() reads it (outside any critical section)
 * and applies what it read under the same rule. Applying is synchronous SQLite work, so the
 * object's input gate makes each batch atomic.
 */
export class WarehouseStockRoom extends DurableObject<EdgeBindings> {
  constructor(ctx: DurableObjectState, env: EdgeBindings) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS level (
      sku TEXT PRIMARY KEY,
      on_hand INTEGER NOT NULL,
      reserved INTEGER NOT NULL,
      version INTEGER NOT NULL
    )`);
  }

  /** Applies versioned levels; returns which were newer than what the room held. */
  applyLevels(levels: LevelUpdate[]): { applied: RoomLevel[]; stale: number } {
    const applied: RoomLevel[] = [];
    for (const l of levels) {
      const changed = this.ctx.storage.sql
        .exec<LevelRow>(
          `INSERT INTO level (sku, on_hand, reserved, version) VALUES (?, ?, ?, ?)
           ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved,
             version = excluded.version
           WHERE excluded.version > level.version
           RETURNING sku, on_hand, reserved, version`,
          l.sku,
          l.onHand,
          l.reserved,
          l.version,
        )
        .toArray();
      if (changed[0]) applied.push(toLevel(changed[0]));
    }
    return { applied, stale: levels.length - applied.length };
  }

  /** Every level the room holds, and the highest version among them. */
  snapshot(warehouseId: string): RoomSnapshot {
    const levels = this.ctx.storage.sql
      .exec<LevelRow>('SELECT sku, on_hand, reserved, version FROM level ORDER BY sku')
      .toArray()
      .map(toLevel);
    return { warehouseId, version: Math.max(0, ...levels.map((l) => l.version)), levels };
  }

  /** These skus' levels (case-insensitively), for availability reads. */
  levels(skus: string[]): RoomLevel[] {
    const wanted = new Set(skus.map((s) => s.toLowerCase()));
    return this.ctx.storage.sql
      .exec<LevelRow>('SELECT sku, on_hand, reserved, version FROM level')
      .toArray()
      .filter((r) => wanted.has(r.sku.toLowerCase()))
      .map(toLevel);
  }

  /** Whether the room has never been filled (a new or wiped object). */
  isEmpty(): boolean {
    return this.ctx.storage.sql.exec('SELECT 1 FROM level LIMIT 1').toArray().length === 0;
  }

  /**
   * Reads the warehouse's levels from Postgres and applies them by version. The read awaits the
   * network; the apply does not, so updates pushed meanwhile are never overwritten by older data.
   */
  async resync(warehouseId: string): Promise<{ applied: number; stale: number }> {
    const client = await openEdgeClient(edgeConfig(this.env));
    try {
      const { rows } = await client.query(
        'select sku, on_hand, reserved, version from inventory.stock_levels where warehouse_id = $1',
        [warehouseId],
      );
      const result = this.applyLevels(
        rows.map((r) => ({
          sku: String(r.sku),
          onHand: Number(r.on_hand),
          reserved: Number(r.reserved),
          version: Number(r.version),
        })),
      );
      return { applied: result.applied.length, stale: result.stale };
    } finally {
      this.ctx.waitUntil(client.end());
    }
  }
}
