/** The archive of every domain event (integrations.event_archive), written and pruned by the jobs runner. */
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import type { DomainEvent } from '../platform/events.ts';
import { eventArchive } from './tables.ts';

/** Archives an event once (its id is the key); false when it was archived before (a retry). */
export async function archiveEvent(db: Database, event: DomainEvent): Promise<boolean> {
  return (await archiveEvents(db, [event])).has(event.id);
}

/** Rows per insert: well under Postgres's 65,535 parameters a statement. */
const ROWS_PER_INSERT = 1000;

/** Archives events once each, a thousand a statement; the ids archived now (not by a retry). */
export async function archiveEvents(db: Database, events: readonly DomainEvent[]): Promise<Set<string>> {
  const archived = new Set<string>();
  for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
    const inserted = await db
      .insert(eventArchive)
      .values(
        events.slice(i, i + ROWS_PER_INSERT).map((event) => ({
          id: event.id,
          type: event.type,
          warehouseId: event.warehouseId,
          data: event.data,
          requestId: event.requestId,
          occurredAt: new Date(event.occurredAt),
        })),
      )
      .onConflictDoNothing({ target: eventArchive.id })
      .returning({ id: eventArchive.id });
    for (const { id } of inserted) archived.add(id);
  }
  return archived;
}

/** Drops archived events older than `days`, in bounded batches; how many went. */
export async function pruneEventArchive(db: Database, days: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.execute(sql`
      delete from ${eventArchive} where id in (
        select id from ${eventArchive}
        where occurred_at < now() - make_interval(days => ${days})
        limit 5000)`);
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < 5000) return total;
  }
}
