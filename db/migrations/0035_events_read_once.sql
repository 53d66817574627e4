-- The event mover reads each event's text fewer times. Every field test and copy in a move was
-- a json operator, and a json operator parses the whole event again: about ten times per room
-- event in the feed's filter, and about fifteen per event in the archive's shape check and
-- insert. With ~1.3 KB order events that was most of a move's time (9.1 ms for 20 events,
-- measured alone). Now:
-- - the room feed's filter takes each event's top-level fields in one pass (json_to_record, the
--   values kept as json, decoded only where tested, as before);
-- - the archive casts the move's events to jsonb once, inside the block that already turns a
--   data error into "the job archives them" (a NUL, a lone surrogate or a number jsonb cannot
--   hold fails the cast there, not the move). Its shape check moved into that block too.
-- So an event holding a NUL or a lone surrogate no longer stops the outbox: 0034's operators
-- raised on it, failing that move and every one after it (tested now).
--
-- And whether more events wait is known from the move's own candidates: it took as many outbox
-- rows as it may, or left some for the events' cap. Until now the move asked with a scan of the
-- outbox after its delete, a sequential scan that walked the dead rows of every earlier move until
-- vacuum came (~0.4 ms of a move's ~2 ms at one client, measured alone). Rows another mover holds
-- are that mover's; rows committed after the move notify the mover.
--
-- What each event becomes is unchanged (jobs/event-mover.test.ts).
-- Whether Postgres can decode every string in `p_value`: json keeps text that reading any field
-- of it raises on (a \u0000, a lone UTF-16 surrogate). A subtransaction, so the move asks only
-- for text that holds a \u escape at all.
CREATE FUNCTION platform.json_decodes(p_value json) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM p_value->>'id'; -- reading one field decodes every string of the text
  RETURN true;
EXCEPTION WHEN data_exception THEN
  RETURN false;
END $$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION platform.archive_moved_events(p_events json, p_event_types text[])
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_uuid CONSTANT text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  v_events jsonb;
BEGIN
  BEGIN
    v_events := p_events::jsonb;
    -- domainEventSchema's shape; a missing key makes its test null: coalesce counts that as misshapen.
    IF EXISTS (
      SELECT 1 FROM jsonb_array_elements(v_events) e
       WHERE NOT coalesce(
               jsonb_typeof(e->'id') = 'string' AND e->>'id' ~* v_uuid
           AND jsonb_typeof(e->'type') = 'string' AND e->>'type' = ANY (p_event_types)
           AND jsonb_typeof(e->'occurredAt') = 'string'
           AND e->>'occurredAt' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$'
           AND (jsonb_typeof(e->'warehouseId') = 'null'
                OR (jsonb_typeof(e->'warehouseId') = 'string' AND e->>'warehouseId' ~* v_uuid))
           AND jsonb_typeof(e->'data') = 'object'
           AND jsonb_typeof(e->'requestId') IN ('null', 'string'), false)
    ) THEN
      RETURN false;
    END IF;
    INSERT INTO integrations.event_archive (id, type, warehouse_id, data, request_id, occurred_at)
    SELECT (e->>'id')::uuid, e->>'type', (e->>'warehouseId')::uuid, e->'data',
           e->>'requestId', (e->>'occurredAt')::timestamptz
      FROM jsonb_array_elements(v_events) e
    ON CONFLICT (id) DO NOTHING;
  EXCEPTION WHEN data_exception THEN
    -- A date that is no date, text or a number jsonb cannot hold: the job's way, event by event.
    RETURN false;
  END;
  RETURN true;
END $$;
--> statement-breakpoint

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
  ), fields AS (
    -- Each event's top-level fields in one pass over its text (a json operator parses the whole
    -- event again for every field it reads). They stay json, decoded only where tested, as the
    -- operators did. An event that is not an object has none, and neither has one whose text
    -- holds an escape Postgres cannot decode (a NUL, a UTF-16 surrogate): reading any field of it
    -- raised, and stopped every move after it. Such an event is not fed; the job publishes it.
    SELECT m.seq, m.n, f.*
      FROM moved m
      LEFT JOIN LATERAL json_to_record(CASE
             WHEN json_typeof(m.value) = 'object'
              AND (strpos(m.value::text, '\u') = 0 OR platform.json_decodes(m.value))
             THEN m.value END)
           AS f(id json, type json, "occurredAt" json, "warehouseId" json, data json) ON true
  ), fed AS (
    INSERT INTO platform.room_event_feed (warehouse_id, event)
    SELECT ("warehouseId" #>> '{}')::uuid,
           json_build_object('id', id, 'type', type, 'occurredAt', "occurredAt", 'data', data)
      FROM fields
     WHERE json_typeof(type) = 'string' AND type #>> '{}' ~ p_room_types
       AND json_typeof("warehouseId") = 'string'
       AND "warehouseId" #>> '{}' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
       AND json_typeof(id) = 'string' AND length(id #>> '{}') BETWEEN 1 AND 100
       AND json_typeof("occurredAt") = 'string' AND length("occurredAt" #>> '{}') <= 40
       AND json_typeof(data) = 'object'
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
