/**
 * The domain events' outbox (db/migrations/0032_event_outbox.sql): a statement that records
 * events appends them to platform.event_outbox with a plain insert (platform.add_events), and
 * the event mover (jobs/event-mover.ts) moves what waits into publish-event jobs, many rows per
 * job, off the requests' path. Plain SQL over the connection the mover keeps.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './database.ts';
import type { SqlClient } from './sql-client.ts';

/** What platform.add_events notifies after events commit. */
export const EVENT_OUTBOX_CHANNEL = 'platform_event_outbox';

/** Outbox rows (each the events of one statement) moved into one publish-event job at most. */
export const OUTBOX_ROWS_PER_JOB = 50;

/** Starts this connection listening for events added to the outbox. */
export async function listenForEvents(client: SqlClient): Promise<void> {
  await client.query(`listen ${EVENT_OUTBOX_CHANNEL}`);
}

/**
 * Moves up to `rows` waiting rows, oldest first, into one publish-event job, in one transaction
 * (an event is in the outbox or in a job, never both); rows another mover holds are skipped.
 * Returns how many rows it moved.
 */
export async function moveWaitingEvents(client: SqlClient, rows = OUTBOX_ROWS_PER_JOB): Promise<number> {
  const { rows: result } = await client.query('select platform.move_waiting_events($1) as moved', [rows]);
  return Number(result[0]?.moved ?? 0);
}

/** The outbox's lag for metrics: rows waiting, and how long the oldest has waited in seconds. */
export async function eventOutboxBacklog(db: Database): Promise<{ waiting: number; oldestSeconds: number }> {
  const { rows } = await db.execute<{ waiting: number; oldest: number }>(sql`
    select count(*)::int as waiting, coalesce(extract(epoch from now() - min(written_at)), 0)::float8 as oldest
      from platform.event_outbox`);
  return { waiting: rows[0]?.waiting ?? 0, oldestSeconds: rows[0]?.oldest ?? 0 };
}
