import { eventArchive } from '../../core/integrations/tables.ts';
import { defineTask } from '../task.ts';

/** Delivers one domain event. Idempotent: the event id is the archive's key. */
export const publishEvent = defineTask('publish-event', async (event, { db, log }) => {
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
  log.info('event published', { eventId: event.id, type: event.type, duplicate: inserted.length === 0 });
});
