-- The event mover archives the events it moves in the move itself, and adds a publish-event job
-- only for what webhooks may want (an enabled subscription listing one of the events' types, or
-- '*') or what it could not archive. Until now every move added a job whose first step was that
-- archive insert: graphile-worker's add_jobs, then fetching, running and completing the job, for
-- each move, about half of what the jobs runner spent per order. Installs without webhooks now
-- publish with no job at all; with them, the job queues the deliveries (and its archive insert,
-- idempotent by event id, finds the events there).
--
-- An event not of the shape core/platform/events.ts's domainEventSchema accepts is not archived
-- here: the move's events all go to the job, which archives the rest and refuses it (a failed job
-- shows it), as before. So no event can stop the outbox.
CREATE FUNCTION platform.archive_moved_events(p_events json, p_event_types text[])
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_uuid CONSTANT text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
BEGIN
  -- A missing key makes its test null: coalesce counts that as misshapen.
  IF EXISTS (
    SELECT 1 FROM json_array_elements(p_events) e
     WHERE NOT coalesce(
             json_typeof(e->'id') = 'string' AND e->>'id' ~* v_uuid
         AND json_typeof(e->'type') = 'string' AND e->>'type' = ANY (p_event_types)
         AND json_typeof(e->'occurredAt') = 'string'
         AND e->>'occurredAt' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$'
         AND (json_typeof(e->'warehouseId') = 'null'
              OR (json_typeof(e->'warehouseId') = 'string' AND e->>'warehouseId' ~* v_uuid))
         AND json_typeof(e->'data') = 'object'
         AND json_typeof(e->'requestId') IN ('null', 'string'), false)
  ) THEN
    RETURN false;
  END IF;
  BEGIN
    INSERT INTO integrations.event_archive (id, type, warehouse_id, data, request_id, occurred_at)
    SELECT (e->>'id')::uuid, e->>'type', (e->>'warehouseId')::uuid, (e->'data')::jsonb,
           e->>'requestId', (e->>'occurredAt')::timestamptz
      FROM json_array_elements(p_events) e
    ON CONFLICT (id) DO NOTHING;
  EXCEPTION WHEN data_exception THEN
    -- A date that is no date: the job's way, event by event.
    RETURN false;
  END;
  RETURN true;
END $$;
--> statement-breakpoint

-- 0032's move with the archive and the conditional job; 0032's three-argument move stays for a
-- runner released before this (its jobs archive, as they did).
CREATE FUNCTION platform.move_waiting_events(
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
  SELECT (SELECT count(*) FROM taken), json_agg(value ORDER BY seq, n), (SELECT count(*) FROM fed)
    INTO v_rows, v_events, v_fed
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
  v_more := EXISTS (SELECT 1 FROM platform.event_outbox);
  RETURN QUERY SELECT v_rows, v_more;
END $$;
