/**
 * Inventory's side of the warehouse rooms' feed (jobs/room-feed.ts runs the loop): the level
 * changes waiting in inventory.level_feed (written by inventory.publish_stock_changes in each
 * change's own transaction, db/migrations/0021_level_feed.sql), the lease that makes one feeder
 * at a time, and the notification that wakes it. Plain SQL over one connection the feeder keeps:
 * the lease is a session advisory lock, so it ends with that connection (a killed feeder's lease
 * is free at once, and a standby takes it).
 */

import type { Database } from '../platform/database.ts';
import { pruneWaitingRows, waitingRowsBacklog } from '../platform/job-queue-state.ts';
import type { LevelUpdate } from '../platform/room-contract.ts';
import type { SqlClient } from '../platform/sql-client.ts';

/** What publish_stock_changes notifies after a change commits. */
export const LEVEL_FEED_CHANNEL = 'inventory_level_feed';

/** The advisory lock key of the feeder's lease (any constant the project uses for nothing else). */
const FEED_LEASE_KEY = 'varastokkr:level-feed';

export interface WaitingLevel extends LevelUpdate {
  /** The row's place in the feed: what the feeder deletes once the room has it. */
  seq: string;
  warehouseId: string;
}

/** Takes the feeder's lease when free; true while this connection holds it (taking it twice is harmless). */
export async function tryTakeFeedLease(client: SqlClient): Promise<boolean> {
  const { rows } = await client.query('select pg_try_advisory_lock(hashtextextended($1, 0)) as taken', [
    FEED_LEASE_KEY,
  ]);
  return rows[0]?.taken === true;
}

/** Starts this connection listening for new changes in the feed. */
export async function listenForLevelChanges(client: SqlClient): Promise<void> {
  await client.query(`listen ${LEVEL_FEED_CHANNEL}`);
}

/**
 * Up to `limit` waiting changes, oldest first, except those being sent. Rows whose transaction commits after this read
 * (with a lower seq than some read now) are read next time: nothing here assumes seq order is
 * commit order.
 */
export async function readWaitingLevels(
  client: SqlClient,
  limit: number,
  /** Rows already on their way (ticks in flight): not read again. */
  sending: readonly string[] = [],
): Promise<WaitingLevel[]> {
  const { rows } = await client.query(
    `select seq, warehouse_id, sku, on_hand, reserved, version, from_version
     from inventory.level_feed where seq <> all($2::bigint[]) order by seq limit $1`,
    [limit, sending],
  );
  return rows.map((r) => ({
    seq: String(r.seq),
    warehouseId: String(r.warehouse_id),
    sku: String(r.sku),
    onHand: Number(r.on_hand),
    reserved: Number(r.reserved),
    version: Number(r.version),
    fromVersion: Number(r.from_version),
  }));
}

/** Removes exactly these rows, once the rooms acknowledged them (never "everything below a seq"). */
export async function forgetFedLevels(client: SqlClient, seqs: readonly string[]): Promise<void> {
  if (seqs.length === 0) return;
  await client.query('delete from inventory.level_feed where seq = any($1::bigint[])', [seqs]);
}

/**
 * Drops changes that waited longer than `hours`: with no feeder running (no edge configured) the
 * feed would only grow, and after an edge outage that long the nightly room check (and each
 * room's rebuild on activation) has already brought the rooms up to date. Returns how many.
 */
export const pruneLevelFeed = (client: SqlClient, hours: number) =>
  pruneWaitingRows(client, 'inventory.level_feed', hours);

/**
 * The feed's lag for metrics (jobs/metrics.ts): changes not yet acknowledged by the rooms, and
 * how long the oldest has waited in seconds (0 when none waits).
 */
export const levelFeedBacklog = (db: Database) => waitingRowsBacklog(db, 'inventory.level_feed');
