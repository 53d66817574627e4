/**
 * The stock board's rows as plain data: a snapshot of the room, then its `stock` messages merged
 * in place, plus the reorder settings and in-transit counts the room does not carry (they come
 * from GET /api/warehouses/:id/stock). No Angular here, so bun:test covers it directly.
 */
import type { RoomLevel, RoomSnapshotMessage, RoomStockMessage } from '@varastokkr/client';

export interface StockRow {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  /** The ledger version of this level: an older message never overwrites a newer one. */
  version: number;
  reorderPoint: number | null;
  inTransit: number | null;
}

/** What the REST listing adds to a level. */
export interface ReorderInfo {
  sku: string;
  reorderPoint: number | null;
  inTransit: number;
}

/** Rows sorted by sku, and where each sku sits (so a message finds its row without a scan). */
export interface StockTable {
  rows: readonly StockRow[];
  index: ReadonlyMap<string, number>;
}

export const emptyTable: StockTable = { rows: [], index: new Map() };

const bySku = (a: { sku: string }, b: { sku: string }) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

function indexOf(rows: readonly StockRow[]): Map<string, number> {
  return new Map(rows.map((row, i) => [row.sku, i]));
}

function rowFrom(level: RoomLevel, known: StockRow | undefined): StockRow {
  return {
    sku: level.sku,
    onHand: level.onHand,
    reserved: level.reserved,
    available: level.available,
    version: level.version,
    reorderPoint: known?.reorderPoint ?? null,
    inTransit: known?.inTransit ?? null,
  };
}

/** The table after a snapshot: the room's levels, keeping reorder settings already known. */
export function tableFromSnapshot(
  snapshot: RoomSnapshotMessage,
  before: StockTable = emptyTable,
): StockTable {
  const known = (sku: string) => {
    const at = before.index.get(sku);
    return at === undefined ? undefined : before.rows[at];
  };
  const rows = snapshot.levels.map((level) => rowFrom(level, known(level.sku))).sort(bySku);
  return { rows, index: indexOf(rows) };
}

export interface MergeResult {
  table: StockTable;
  /** The skus whose numbers changed (to highlight). */
  changed: Set<string>;
}

/**
 * Applies a batch of stock messages (those that arrived within one animation frame): each
 * replaces its sku's row if it is newer; new skus are inserted in order. The table is copied
 * once per batch, not once per message.
 */
export function mergeStockMessages(table: StockTable, messages: readonly RoomStockMessage[]): MergeResult {
  const changed = new Set<string>();
  if (messages.length === 0) return { table, changed };
  const rows = table.rows.slice();
  const added: StockRow[] = [];
  const addedAt = new Map<string, number>();
  for (const message of messages) {
    const at = table.index.get(message.sku);
    if (at !== undefined) {
      const current = rows[at] as StockRow;
      if (message.version < current.version) continue;
      rows[at] = rowFrom(message, current);
    } else {
      const newAt = addedAt.get(message.sku);
      const current = newAt === undefined ? undefined : added[newAt];
      if (current && message.version < current.version) continue;
      if (newAt === undefined) {
        addedAt.set(message.sku, added.length);
        added.push(rowFrom(message, undefined));
      } else added[newAt] = rowFrom(message, current);
    }
    changed.add(message.sku);
  }
  if (added.length === 0) return { table: { rows, index: table.index }, changed };
  const merged = rows.concat(added).sort(bySku);
  return { table: { rows: merged, index: indexOf(merged) }, changed };
}

/** Adds reorder points and in-transit counts (from the REST listing) to the rows they belong to. */
export function withReorderInfo(table: StockTable, infos: readonly ReorderInfo[]): StockTable {
  let rows: StockRow[] | undefined;
  for (const info of infos) {
    const at = table.index.get(info.sku);
    if (at === undefined) continue;
    rows ??= table.rows.slice();
    rows[at] = { ...(rows[at] as StockRow), reorderPoint: info.reorderPoint, inTransit: info.inTransit };
  }
  return rows ? { rows, index: table.index } : table;
}

/** At or under its reorder point, as GET /api/warehouses/:id/stock?belowReorderPoint=true counts it. */
export function isBelowReorder(row: StockRow): boolean {
  return row.reorderPoint !== null && row.available <= row.reorderPoint;
}

export interface RowFilter {
  search: string;
  belowReorderOnly: boolean;
}

/** The rows a person asked to see: a sku containing the search text, optionally only those to reorder. */
export function filterRows(rows: readonly StockRow[], filter: RowFilter): readonly StockRow[] {
  const search = filter.search.trim().toUpperCase();
  if (!search && !filter.belowReorderOnly) return rows;
  return rows.filter(
    (row) =>
      (!search || row.sku.toUpperCase().includes(search)) &&
      (!filter.belowReorderOnly || isBelowReorder(row)),
  );
}
