import { archiveEvents } from '../../core/integrations/event-archive.ts';
import { isSaneRequestId } from '../../core/platform/request-id.ts';
import { queueDeliveries } from '../../core/webhooks/delivery-queue.ts';
import { defineBatchTask } from '../task.ts';

/** The batch without repeats of an event (a redelivery added beside it), in its order. */
function distinct<E extends { id: string }>(events: E[]): E[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && seen.add(e.id));
}

/**
 * Publishes a batch of domain events (one job carries what the event mover moved out of the
 * outbox in one go when a webhook subscription may want one of them, or one could not be archived
 * in the move; see platform.move_waiting_events, migrations 0032 and 0034): to the archive in one
 * insert (idempotent: the event id is its key, so what the move archived is found there) and to
 * the webhook subscriptions that want them
 * with one read of the subscriptions (one delivery each, once per event and subscription: a
 * retry writes nothing new). A failed write retries the whole batch, which archives and queues
 * nothing twice. The order, transfer and purchase order events reach their warehouses' rooms on
 * the rooms' feed (the mover put them there; jobs/room-feed.ts), not from here.
 */
export const publishEvent = defineBatchTask('publish-event', async (batch, { db, log }) => {
  const events = distinct(batch);
  const archived = await archiveEvents(db, events);
  const webhooks = await queueDeliveries(db, events);
  // At debug: under load a line per event outnumbers the request lines, and the archive keeps
  // every event with its request id anyway. Not even built at the default level.
  if (log.enables('debug'))
    for (const e of events)
      log.debug('event published', {
        eventId: e.id,
        type: e.type,
        duplicate: !archived.has(e.id),
        requestId: e.requestId && isSaneRequestId(e.requestId) ? e.requestId : undefined,
      });
  if (webhooks > 0) log.debug('webhook deliveries queued', { deliveries: webhooks, events: events.length });
  return [];
});
