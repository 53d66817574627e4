/**
 * Every warehouse room at the edge compared with Postgres: the one comparison behind the nightly
 * check-warehouse-rooms job (which repairs what differs) and `bun run verify:invariants` (which
 * only reports it). A room level newer than the one read is read again first: it may be a push
 * that overtook the read; if Postgres is still older, the room is wrong.
 */
import { readStockLevels, readWarehouseDirectory } from '../core/inventory/level-reads.ts';
import type { ReconcileResult } from '../core/platform/room-contract.ts';
import type { SqlClient } from '../core/platform/sql-client.ts';
import type { EdgeClient } from './edge-client.ts';

export interface RoomDrift {
  warehouseId: string;
  /** The levels that differed: what the room had, and what Postgres has. */
  levels: ReconcileResult['repaired'];
}

export async function checkRooms(
  client: SqlClient,
  edge: EdgeClient,
  opts: { repair: boolean; onRoom?: (warehouseId: string, done: number, of: number) => void },
): Promise<{ warehouses: number; drifted: RoomDrift[] }> {
  const sites = await readWarehouseDirectory(client);
  const drifted: RoomDrift[] = [];
  for (const [i, { id }] of sites.entries()) {
    const first = await edge.reconcile(id, await readStockLevels(client, id, null), false, opts.repair);
    let levels = first.repaired;
    if (first.ahead.length > 0) {
      const again = await edge.reconcile(
        id,
        await readStockLevels(client, id, first.ahead),
        true,
        opts.repair,
      );
      levels = levels.concat(again.repaired);
    }
    if (levels.length > 0) drifted.push({ warehouseId: id, levels });
    opts.onRoom?.(id, i + 1, sites.length);
  }
  return { warehouses: sites.length, drifted };
}
