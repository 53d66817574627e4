-- Domain events wait in an outbox table of their own, and a loop in the jobs process (the event
-- mover, jobs/event-mover.ts) moves what waits into publish-event jobs. Until now every statement
-- that recorded events called graphile_worker.add_jobs itself (0030): ~1.4 ms of Postgres per
-- call, twice per order (the hold's stock.changed, the order's order.created), on the order's
-- own path. An outbox row is one plain insert; the mover pays add_jobs once per batch of rows,
-- off the path, and under load one job takes what committed meanwhile. The order, transfer and
-- purchase order events among them also go to the rooms' feed (platform.room_event_feed), which
-- the feeder sends with the levels in its ticks: no edge call of their own.
--
-- A row is the events of one statement, in their order. The mover deletes the rows it takes and
-- adds their job in one transaction, so an event is in the outbox or in a job, never both and
-- never neither; rows a concurrent mover holds are skipped (SKIP LOCKED), so several jobs
-- processes can move at once. Jobs were never ordered among themselves (several workers take
-- them). A room gets its events in the order they were moved (one feed tick with events in
-- flight at a time); two runners moving at the same moment may interleave their moves' events.
CREATE TABLE platform.event_outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  events json NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint

-- Same signature as 0030, so every caller (inventory.publish_stock_changes, core's outbox) moves
-- with it. The notification wakes the mover; graphile-worker's add_jobs notified the same way.
CREATE OR REPLACE FUNCTION platform.add_events(p_events json) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(json_array_length(p_events), 0) = 0 THEN RETURN; END IF;
  INSERT INTO platform.event_outbox (events) VALUES (p_events);
  PERFORM pg_notify('platform_event_outbox', '');
END $$;
--> statement-breakpoint

-- The order, transfer and purchase order events waiting for their warehouse's room, in the order
-- they were moved: the rooms' feeder (jobs/room-feed.ts) sends them in its ticks, after the
-- room's levels, and deletes exactly the rows the edge acknowledged, as it does inventory.level_feed's.
-- One call to the edge per tick for both, instead of a publish-event job calling it per batch.
CREATE TABLE platform.room_event_feed (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  warehouse_id uuid NOT NULL,
  event json NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint

-- Moves waiting rows, oldest first, into one publish-event job (its payload the rows' events in
-- order; archive and webhooks): up to p_rows rows, and no more rows once p_events events are
-- taken (the first row always goes, however many it holds), so a job stays bounded. Of those
-- events, the ones with a warehouse whose type matches p_room_types (core/platform/room-contract.ts's
-- pattern) and whose shape the rooms' contract accepts go into the rooms' feed, in the order they
-- were recorded; one that does not fit is still archived and sent to webhooks (publish-event
-- refuses a bad event alone), so no event can stop the outbox. The feeder is woken on its channel
-- when the move fed it. Returns the rows moved, and whether more were waiting.
CREATE FUNCTION platform.move_waiting_events(p_rows integer, p_events integer, p_room_types text)
RETURNS TABLE (moved integer, more boolean) LANGUAGE plpgsql AS $$
DECLARE
  v_rows integer;
  v_events json;
  v_fed integer;
  v_more boolean;
BEGIN
  WITH candidates AS (
    SELECT seq, json_array_length(events) AS n FROM platform.event_outbox
     ORDER BY seq LIMIT p_rows FOR UPDATE SKIP LOCKED
  ), picked AS (
    SELECT seq FROM (SELECT seq, sum(n) OVER (ORDER BY seq) - n AS before FROM candidates) c
     WHERE before < p_events
  ), taken AS (
    DELETE FROM platform.event_outbox o WHERE o.seq IN (SELECT seq FROM picked)
    RETURNING o.seq, o.events
  ), moved AS (
    SELECT t.seq, e.value, e.n
      FROM taken t, json_array_elements(t.events) WITH ORDINALITY AS e(value, n)
  ), fed AS (
    INSERT INTO platform.room_event_feed (warehouse_id, event)
    SELECT (value->>'warehouseId')::uuid,
           json_build_object('id', value->'id', 'type', value->'type',
                             'occurredAt', value->'occurredAt', 'data', value->'data')
      FROM moved
     WHERE value->>'type' ~ p_room_types
       AND value->>'warehouseId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
       AND json_typeof(value->'id') = 'string' AND length(value->>'id') BETWEEN 1 AND 100
       AND json_typeof(value->'occurredAt') = 'string' AND length(value->>'occurredAt') <= 40
       AND json_typeof(value->'data') = 'object'
     ORDER BY seq, n
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM taken), json_agg(value ORDER BY seq, n), (SELECT count(*) FROM fed)
    INTO v_rows, v_events, v_fed
    FROM moved;
  IF v_events IS NOT NULL THEN
    PERFORM graphile_worker.add_jobs(ARRAY[(
      'publish-event', v_events, NULL, NULL, NULL, NULL, NULL, NULL
    )::graphile_worker.job_spec]);
  END IF;
  IF v_fed > 0 THEN PERFORM pg_notify('inventory_level_feed', ''); END IF;
  -- More: rows left behind by the limits, or added since. Rows another mover holds count too
  -- (without locking anything here, which would hide a row from it): one needless move at worst.
  v_more := EXISTS (SELECT 1 FROM platform.event_outbox);
  RETURN QUERY SELECT v_rows, v_more;
END $$;
