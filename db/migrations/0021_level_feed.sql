-- The warehouse rooms' feed costs per tick, not per change. Until now every transaction that
-- changed stock enqueued a push-warehouse-levels job per warehouse, and each job made its own
-- HTTP call to the edge. Now each changed level is a row in inventory.level_feed, written in
-- the change's own transaction (so a row exists iff the change committed); the feeder in the
-- jobs process (jobs/room-feed.ts) reads what is there, sends every room's rows in one call,
-- and deletes exactly the rows the edge acknowledged. A row committed late (a lower seq than
-- one already sent) is simply read on a later tick: the rooms order each level's steps by
-- version (fromVersion), so nothing depends on rows arriving in seq order.
CREATE TABLE inventory.level_feed (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  warehouse_id uuid NOT NULL,
  sku text NOT NULL,
  on_hand integer NOT NULL,
  reserved integer NOT NULL,
  version bigint NOT NULL,
  from_version bigint NOT NULL,
  -- For the prune: rows a day old are dropped (the nightly room check repairs what they carried).
  written_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint

-- As 0018, with the levels written to inventory.level_feed instead of one job per warehouse, and
-- a notification that wakes the feeder when it waits for work (one per transaction: Postgres
-- folds identical notifications of one transaction into one). A notifying transaction takes a
-- database-wide lock at commit; this one already notifies graphile-worker (add_jobs does, for
-- the stock.changed events), so the feed's notification adds no commit-time wait of its own.
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
  SELECT graphile_worker.add_jobs(
    -- One stock.changed event per level, with its state and version after the change.
    array(
      SELECT (
        'publish-event',
        json_build_object(
          'id', gen_random_uuid(),
          'type', 'stock.changed',
          'occurredAt', now(),
          'warehouseId', warehouse_id,
          'data', json_build_object(
            'sku', sku, 'onHand', on_hand, 'reserved', reserved,
            'available', on_hand - reserved, 'version', version),
          'requestId', p_request_id),
        null, null, null, null, null, null)::graphile_worker.job_spec
      FROM changed ORDER BY warehouse_id, sku)),
    pg_notify('inventory_level_feed', '')
  WHERE EXISTS (SELECT 1 FROM fed)
$$;
--> statement-breakpoint

-- Pushes still queued from before this migration: taken from the queue (their task no longer
-- exists) and their levels put in the feed, in the order they were queued.
INSERT INTO inventory.level_feed (warehouse_id, sku, on_hand, reserved, version, from_version)
SELECT (j.payload->>'warehouseId')::uuid, l->>'sku', (l->>'onHand')::integer, (l->>'reserved')::integer,
       (l->>'version')::bigint, coalesce((l->>'fromVersion')::bigint, (l->>'version')::bigint - 1)
FROM graphile_worker.complete_jobs(array(
  SELECT id FROM graphile_worker.jobs WHERE task_identifier = 'push-warehouse-levels')) AS j
CROSS JOIN LATERAL json_array_elements(j.payload->'levels') AS l
ORDER BY j.id;
