-- The event mover reads each event once. Until now every field test and every field copy in a
-- move (about thirty per event, in the room feed's filter, the archive's shape check and its
-- insert) was a json operator, and a json operator parses the whole event text again: the move
-- was the largest cost the jobs runner put on Postgres per order (10 ms per move of ~18 events in
-- `bun run bench orders` with PG_STATEMENTS). Each event is now converted to jsonb once, and the
-- feed, the shape check and the archive read that.
--
-- What each event becomes is unchanged: fed to its room when the rooms' contract would take it,
-- archived in the move when every event of the move has the shape domainEventSchema accepts,
-- and in a publish-event job (as the outbox holds it) when a webhook may want it or the move
-- archived none. Two differences, both to the safe side:
-- - The archive's date check is pg_input_is_valid instead of a failed cast caught in a
--   subtransaction, so the whole move is one statement.
-- - An event jsonb cannot hold (a \u0000 or a lone surrogate in a string, which json keeps) is
--   misshapen: not fed and not archived by the move, so its job shows it. Before, it could be fed.
CREATE OR REPLACE FUNCTION platform.move_waiting_events(
  p_rows integer, p_events integer, p_room_types text, p_event_types text[]
) RETURNS TABLE (moved integer, more boolean) LANGUAGE plpgsql AS $$
DECLARE
  v_uuid CONSTANT text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  v_rows integer;
  v_events json;
  v_fed integer;
  v_archivable boolean;
  v_types text[];
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
    -- Only text holding a \u escape can fail the cast; only that text pays a second parse.
    SELECT t.seq, e.n, e.value,
           CASE WHEN strpos(e.value::text, '\u') = 0 OR pg_input_is_valid(e.value::text, 'jsonb')
                THEN e.value::jsonb END AS v
      FROM taken t, json_array_elements(t.events) WITH ORDINALITY AS e(value, n)
  ), shaped AS (
    -- domainEventSchema's shape, as 0034 checked it (a missing key makes its test null: false).
    SELECT m.*, coalesce(
             jsonb_typeof(v->'id') = 'string' AND v->>'id' ~* v_uuid
         AND jsonb_typeof(v->'type') = 'string' AND v->>'type' = ANY (p_event_types)
         AND jsonb_typeof(v->'occurredAt') = 'string'
         AND v->>'occurredAt' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$'
         AND pg_input_is_valid(v->>'occurredAt', 'timestamptz')
         AND (jsonb_typeof(v->'warehouseId') = 'null'
              OR (jsonb_typeof(v->'warehouseId') = 'string' AND v->>'warehouseId' ~* v_uuid))
         AND jsonb_typeof(v->'data') = 'object'
         AND jsonb_typeof(v->'requestId') IN ('null', 'string'), false) AS archivable
      FROM moved m
  ), fed AS (
    INSERT INTO platform.room_event_feed (warehouse_id, event)
    SELECT (v->>'warehouseId')::uuid,
           jsonb_build_object('id', v->'id', 'type', v->'type',
                              'occurredAt', v->'occurredAt', 'data', v->'data')::json
      FROM shaped
     WHERE v->>'type' ~ p_room_types
       AND v->>'warehouseId' ~* v_uuid
       AND jsonb_typeof(v->'id') = 'string' AND length(v->>'id') BETWEEN 1 AND 100
       AND jsonb_typeof(v->'occurredAt') = 'string' AND length(v->>'occurredAt') <= 40
       AND jsonb_typeof(v->'data') = 'object'
     ORDER BY seq, n
    RETURNING 1
  ), archived AS (
    -- All of the move's events or none: a misshapen one sends them all to the job, which
    -- archives the rest and refuses it (a failed job shows it), as before.
    INSERT INTO integrations.event_archive (id, type, warehouse_id, data, request_id, occurred_at)
    SELECT (v->>'id')::uuid, v->>'type', (v->>'warehouseId')::uuid, v->'data',
           v->>'requestId', (v->>'occurredAt')::timestamptz
      FROM shaped
     WHERE NOT EXISTS (SELECT 1 FROM shaped WHERE NOT archivable)
    ON CONFLICT (id) DO NOTHING
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM taken), json_agg(value ORDER BY seq, n), (SELECT count(*) FROM fed),
         bool_and(archivable), array_agg(DISTINCT v->>'type')
    INTO v_rows, v_events, v_fed, v_archivable, v_types
    FROM shaped;
  IF v_events IS NOT NULL AND (
       NOT v_archivable
       OR EXISTS (SELECT 1 FROM webhooks.subscriptions s
                   WHERE s.enabled AND s.events && (v_types || '*'::text))) THEN
    PERFORM graphile_worker.add_jobs(ARRAY[(
      'publish-event', v_events, NULL, NULL, NULL, NULL, NULL, NULL
    )::graphile_worker.job_spec]);
  END IF;
  IF v_fed > 0 THEN PERFORM pg_notify('inventory_level_feed', ''); END IF;
  v_more := EXISTS (SELECT 1 FROM platform.event_outbox);
  RETURN QUERY SELECT v_rows, v_more;
END $$;
--> statement-breakpoint

-- Called by 0034's move only.
DROP FUNCTION platform.archive_moved_events(json, text[]);
