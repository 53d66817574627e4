/**
 * The domain events' outbox (db/migrations/0032_event_outbox.sql): a statement that records
 * events appends them to platform.event_outbox with a plain insert (platform.add_events), and
 * the event mover (jobs/event-mover.ts) moves what waits off the requests' path, many rows at a
 * time: into the archive, the rooms' feed, and a publish-event job when webhooks may want them
 * (0034). Plain SQL over the connection the mover keeps.
 */
import type { Database } from './database.ts';
import { eventTypes } from './events.ts';
import { pruneWaitingRows, waitingRowsBacklog } from './job-queue-state.ts';
import { type RoomEventPush, roomEventTypePattern } from './room-contract.ts';
import type { SqlClient } from './sql-client.ts';

/** What platform.add_events notifies after events commit. */
export const EVENT_OUTBOX_CHANNEL = 'platform_event_outbox';

/** Outbox rows (each the events of one statement) taken by one move at most. */
export const OUTBOX_ROWS_PER_JOB = 50;
/** No more rows are added to a job once it holds this many events (its first row always goes). */
export const OUTBOX_EVENTS_PER_JOB = 1000;

/** Starts this connection listening for events added to the outbox. */
export async function listenForEvents(client: SqlClient): Promise<void> {
  await client.query(`listen ${EVENT_OUTBOX_CHANNEL}`);
}

/**
 * Moves waiting rows, oldest first (up to `rows` rows, and no more once OUTBOX_EVENTS_PER_JOB
 * events are taken): archives their events, puts their room events into the rooms' feed, and adds
 * one publish-event job with them when a webhook subscription may want one or one could not be
 * archived (its shape: the job refuses it). One transaction: an event is in the outbox or moved,
 * never both; rows another mover holds are skipped. How many rows it moved, and whether more
 * were waiting.
 */
export async function moveWaitingEvents(
  client: SqlClient,
  rows = OUTBOX_ROWS_PER_JOB,
  events = OUTBOX_EVENTS_PER_JOB,
): Promise<{ moved: number; more: boolean }> {
  const { rows: result } = await client.query(
    'select moved, more from platform.move_waiting_events($1, $2, $3, $4::text[])',
    [rows, events, roomEventTypePattern.source, eventTypes],
  );
  return { moved: Number(result[0]?.moved ?? 0), more: result[0]?.more === true };
}

export interface WaitingRoomEvent {
  /** The row's place in the feed: what the feeder deletes once the room has it. */
  seq: string;
  warehouseId: string;
  event: RoomEventPush;
}

/** Up to `limit` room events waiting for the feeder, oldest first. */
export async function readWaitingRoomEvents(client: SqlClient, limit: number): Promise<WaitingRoomEvent[]> {
  const { rows } = await client.query(
    'select seq, warehouse_id, event from platform.room_event_feed order by seq limit $1',
    [limit],
  );
  return rows.map((r) => ({
    seq: String(r.seq),
    warehouseId: String(r.warehouse_id),
    event: r.event as RoomEventPush,
  }));
}

/** Removes exactly these rows, once the rooms acknowledged them. */
export async function forgetFedRoomEvents(client: SqlClient, seqs: readonly string[]): Promise<void> {
  if (seqs.length === 0) return;
  await client.query('delete from platform.room_event_feed where seq = any($1::bigint[])', [seqs]);
}

/** Drops room events that waited longer than `hours` (no feeder runs without an edge). How many. */
export const pruneRoomEventFeed = (client: SqlClient, hours: number) =>
  pruneWaitingRows(client, 'platform.room_event_feed', hours);

/** The outbox's lag: rows (statements' events) waiting for the event mover. */
export const eventOutboxBacklog = (db: Database) => waitingRowsBacklog(db, 'platform.event_outbox');
/** Room events moved but not yet acknowledged by the rooms. */
export const roomEventFeedBacklog = (db: Database) => waitingRowsBacklog(db, 'platform.room_event_feed');
