/** The archive of every domain event (integrations.event_archive), written and pruned by the jobs runner. */
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import type { DomainEvent } from '../platform/events.ts';
import { eventArchive } from './tables.ts';

/** Archives an event once (its id is the key); false when it was archived before (a retry). */
export async function archiveEvent(db: Database, event: DomainEvent): Promise<boolean> {
  const inserted = await db
    .insert(eventArchive)
    .values({
      id: event.id,
      type: event.type,
      warehouseId: event.warehouseId,
      data: event.data,
      requestId: event.requestId,
      occurredAt: new Date(event.occurredAt),
    })
    .onConflictDoNothing({ target: eventArchive.id })
    .returning({ id: eventArchive.id });
  return inserted.length > 0;
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
