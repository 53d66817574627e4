-- The rooms' events ride the rooms' feed too. Until now every order, transfer and purchase
-- order event made its own HTTP call to its warehouse's room from its publish-event job: under
-- load, one call per order into the edge. Now the job queues the event here in the transaction
-- that archives it (so a retried job queues nothing twice) and notifies the feeder, which sends
-- each room's waiting events with its level changes in one tick and deletes exactly the rows the
-- edge acknowledged, as it does for inventory.level_feed.
CREATE TABLE inventory.room_event_feed (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  warehouse_id uuid NOT NULL,
  -- The event as the room broadcasts it: {id, type, occurredAt, data}.
  event jsonb NOT NULL,
  -- For the prune: with no feeder running, events a day old are dropped.
  written_at timestamptz NOT NULL DEFAULT now()
);
