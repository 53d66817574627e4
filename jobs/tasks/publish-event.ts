import { archiveEvent } from '../../core/integrations/event-archive.ts';
import { roomEventTypePattern } from '../../core/platform/room-contract.ts';
import { queueEventDeliveries } from '../../core/webhooks/delivery-queue.ts';
import { defineTask } from '../task.ts';

/** Order, transfer and purchase order events go to their warehouse's live room (stock arrives on its own feed). */
const forRooms = (type: string) => roomEventTypePattern.test(type);

/**
 * Delivers one domain event: to the archive (idempotent: the event id is its key), to the
 * webhook subscriptions that want it (one delivery job each, once per event and subscription)
 * and, for order, transfer and purchase order events, to the warehouse's room at the edge. A
 * failed push throws, and the retry archives and queues nothing twice.
 */
export const publishEvent = defineTask('publish-event', async (event, { db, log, edge }) => {
  const archived = await archiveEvent(db, event);
  const webhooks = await queueEventDeliveries(db, event);
  // At debug: under load a line per event outnumbers the request lines, and the archive keeps
  // every event with its request id anyway.
  log.debug('event published', { eventId: event.id, type: event.type, duplicate: !archived, webhooks });
  if (!edge || !event.warehouseId || !forRooms(event.type)) return;
  await edge.pushEvent(event.warehouseId, {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    data: event.data,
  });
});
