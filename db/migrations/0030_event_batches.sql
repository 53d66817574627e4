-- Domain events are published in batches: every statement that records events (an order batch's
-- insert, a stock change's publish_stock_changes, a service's enqueueEvents) appends them to one
-- publish-event job, a graphile-worker batch job (its payload an array: a second add with the same
-- job key while the job waits concatenates the arrays). Under load one job, so one get_job, one
-- archive insert, one read of the webhook subscriptions, one push per room and one complete_job,
-- carries what piled up meanwhile, instead of one of each per event.
--
-- The key is this database connection's (its backend pid), not one global or per-warehouse key:
-- adding to a waiting keyed job locks its row until the adding transaction commits, so a shared
-- key would make every transaction that records an event wait for every other one to commit (and
-- could deadlock two that also lock stock rows in opposite orders). A connection runs one
-- transaction at a time, so its key's row is only ever contended by a worker taking the job,
-- which never waits on it (get_job skips locked rows). The key moves on every 100 events the
-- connection adds, so a job's payload stays bounded while no worker takes it (each append
-- rewrites the array). The session counter (varastokkr.events_added) lives and dies with the
-- connection; a rolled-back transaction rolls it back too, harmlessly.
--
-- add_jobs unkeys a namesake a worker has locked and adds a new job; but when a worker locks the
-- namesake after add_jobs looked for locked ones and before its insert, the insert skips the
-- locked row and adds nothing (core/platform/outbox.ts enqueueJobs and core/platform/outbox-keys.test.ts
-- show the race). Then the events go into a job without a key, which no race can drop.
CREATE FUNCTION platform.add_events(p_events json) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_count integer := coalesce(json_array_length(p_events), 0);
  v_added bigint := coalesce(nullif(current_setting('varastokkr.events_added', true), ''), '0')::bigint;
BEGIN
  IF v_count = 0 THEN RETURN; END IF;
  PERFORM set_config('varastokkr.events_added', (v_added + v_count)::text, false);
  PERFORM 1 FROM graphile_worker.add_jobs(ARRAY[(
    'publish-event', p_events, NULL, NULL, NULL,
    'publish-event:' || pg_backend_pid() || ':' || v_added / 100, NULL, NULL
  )::graphile_worker.job_spec]);
  IF NOT FOUND THEN
    PERFORM graphile_worker.add_jobs(ARRAY[(
      'publish-event', p_events, NULL, NULL, NULL, NULL, NULL, NULL
    )::graphile_worker.job_spec]);
  END IF;
END $$;
--> statement-breakpoint

-- As 0021, with the stock.changed events of the statement added as one batch (platform.add_events).
CREATE OR REPLACE FUNCTION inventory.publish_stock_changes(p_warehouse_ids uuid[], p_skus text[], p_request_id text)
RETURNS void LANGUAGE sql
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
  WITH changed AS (
    SELECT s.warehouse_id, s.sku, s.on_hand, s.reserved, s.version, s.version - c.n AS from_version
    FROM inventory.stock_levels s
    JOIN (SELECT w, k, count(*) AS n FROM unnest(p_warehouse_ids, p_skus) AS c(w, k) GROUP BY w, k) c
      ON s.warehouse_id = c.w AND s.sku = c.k
  ), fed AS (
    INSERT INTO inventory.level_feed (warehouse_id, sku, on_hand, reserved, version, from_version)
    SELECT warehouse_id, sku, on_hand, reserved, version, from_version FROM changed
    ORDER BY warehouse_id, sku
    RETURNING 1
  )
  SELECT platform.add_events(
    -- One stock.changed event per level, with its state and version after the change.
    (SELECT json_agg(json_build_object(
        'id', gen_random_uuid(),
        'type', 'stock.changed',
        'occurredAt', now(),
        'warehouseId', warehouse_id,
        'data', json_build_object(
          'sku', sku, 'onHand', on_hand, 'reserved', reserved,
          'available', on_hand - reserved, 'version', version),
        'requestId', p_request_id) ORDER BY warehouse_id, sku)
     FROM changed)),
    pg_notify('inventory_level_feed', '')
  WHERE EXISTS (SELECT 1 FROM fed)
$$;
