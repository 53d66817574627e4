import { archiveEvent } from '../../core/integrations/event-archive.ts';
import { queueRoomEvent } from '../../core/inventory/level-feed.ts';
import { roomEventTypePattern } from '../../core/platform/room-contract.ts';
import { defineTask } from '../task.ts';

/** Order, transfer and purchase order events go to their warehouse's live room (stock arrives on its own feed). */
const forRooms = (type: string) => roomEventTypePattern.test(type);

/**
 * Delivers one domain event: to the archive (idempotent: the event id is its key) and, for
 * order, transfer and purchase order events, onto the rooms' feed for the warehouse's room at
 * the edge (jobs/room-feed.ts sends it with the next tick). Both in one transaction, so a retry
 * neither archives nor queues anything twice. Without an edge there is no feeder: nothing is
 * queued for rooms.
 */
export const publishEvent = defineTask('publish-event', async (event, { db, log, edge }) => {
  const room = edge && event.warehouseId && forRooms(event.type) ? event.warehouseId : undefined;
  const archived = await db.transaction(async (tx) => {
    const fresh = await archiveEvent(tx, event);
    if (fresh && room)
      await queueRoomEvent(tx, room, {
        id: event.id,
        type: event.type,
        occurredAt: event.occurredAt,
        data: event.data,
      });
    return fresh;
  });
  // At debug: under load a line per event outnumbers the request lines, and the archive keeps
  // every event with its request id anyway.
  log.debug('event published', { eventId: event.id, type: event.type, duplicate: !archived, room: !!room });
});
