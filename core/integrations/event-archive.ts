/** The archive of every domain event (integrations.event_archive), written and pruned by the jobs runner. */
import { and, asc, gte, inArray, lt, sql } from 'drizzle-orm';
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

/**
 * Archived events that occurred in [from, to), oldest first, of these types (null: every type),
 * at most `limit`: what a webhook replay sends again.
 */
export async function archivedEvents(
  db: Database,
  range: { from: Date; to: Date; types: readonly string[] | null; limit: number },
): Promise<DomainEvent[]> {
  const rows = await db
    .select()
    .from(eventArchive)
    .where(
      and(
        gte(eventArchive.occurredAt, range.from),
        lt(eventArchive.occurredAt, range.to),
        range.types ? inArray(eventArchive.type, [...range.types]) : undefined,
      ),
    )
    .orderBy(asc(eventArchive.occurredAt), asc(eventArchive.id))
    .limit(range.limit);
  return rows.map((r) => ({
    id: r.id,
    type: r.type as DomainEvent['type'],
    occurredAt: r.occurredAt.toISOString(),
    warehouseId: r.warehouseId,
    data: r.data,
    requestId: r.requestId,
  }));
}
