-- Whether more events wait is known from the move's own candidates: it took as many outbox rows
-- as it may, or left some for the events' cap. Until now the move asked with a scan of the outbox
-- after its delete, a sequential scan that walked the dead rows of every earlier move until vacuum
-- came: ~0.4 ms of a move's ~2 ms at one client, measured alone. Rows another mover holds are that
-- mover's; rows committed after the move notify the mover. Otherwise 0034's move, unchanged.
CREATE OR REPLACE FUNCTION platform.move_waiting_events(
  p_rows integer, p_events integer, p_room_types text, p_event_types text[]
) RETURNS TABLE (moved integer, more boolean) LANGUAGE plpgsql AS $$
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
  SELECT (SELECT count(*) FROM taken), json_agg(value ORDER BY seq, n), (SELECT count(*) FROM fed),
         -- More wait when the move took as many rows as it may, or left some for the events' cap.
         (SELECT count(*) FROM candidates) = p_rows
           OR (SELECT count(*) FROM picked) < (SELECT count(*) FROM candidates)
    INTO v_rows, v_events, v_fed, v_more
    FROM moved;
  IF v_events IS NOT NULL AND (
       NOT platform.archive_moved_events(v_events, p_event_types)
       OR EXISTS (
         SELECT 1 FROM webhooks.subscriptions s
          WHERE s.enabled
            AND s.events && (ARRAY(SELECT DISTINCT e->>'type' FROM json_array_elements(v_events) e)
                             || '*'::text))) THEN
    PERFORM graphile_worker.add_jobs(ARRAY[(
      'publish-event', v_events, NULL, NULL, NULL, NULL, NULL, NULL
    )::graphile_worker.job_spec]);
  END IF;
  IF v_fed > 0 THEN PERFORM pg_notify('inventory_level_feed', ''); END IF;
  RETURN QUERY SELECT v_rows, coalesce(v_more, false);
END $$;
