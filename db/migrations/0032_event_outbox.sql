-- Domain events wait in an outbox table of their own, and a loop in the jobs process (the event
-- mover, jobs/event-mover.ts) moves what waits into publish-event jobs. Until now every statement
-- that recorded events called graphile_worker.add_jobs itself (0030): ~1.4 ms of Postgres per
-- call, twice per order (the hold's stock.changed, the order's order.created), on the order's
-- own path. An outbox row is one plain insert; the mover pays add_jobs once per batch of rows,
-- off the path, and under load one job takes what committed meanwhile.
--
-- A row is the events of one statement, in their order. The mover deletes the rows it takes and
-- adds their job in one transaction, so an event is in the outbox or in a job, never both and
-- never neither; rows a concurrent mover holds are skipped (SKIP LOCKED), so several jobs
-- processes can move at once. Jobs were never ordered among themselves (several workers take
-- them), so neither are moves; each room keeps its own order by event time.
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

-- Moves up to p_rows waiting rows, oldest first, into one publish-event job (its payload the
-- rows' events in order); returns how many rows it moved.
CREATE FUNCTION platform.move_waiting_events(p_rows integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_rows integer;
  v_events json;
BEGIN
  WITH taken AS (
    DELETE FROM platform.event_outbox o
    WHERE o.seq IN (
      SELECT seq FROM platform.event_outbox ORDER BY seq LIMIT p_rows FOR UPDATE SKIP LOCKED)
    RETURNING o.seq, o.events
  )
  SELECT count(DISTINCT t.seq), json_agg(e.value ORDER BY t.seq, e.n)
    INTO v_rows, v_events
    FROM taken t, json_array_elements(t.events) WITH ORDINALITY AS e(value, n);
  IF v_rows > 0 THEN
    PERFORM graphile_worker.add_jobs(ARRAY[(
      'publish-event', v_events, NULL, NULL, NULL, NULL, NULL, NULL
    )::graphile_worker.job_spec]);
  END IF;
  RETURN v_rows;
END $$;
