-- Push jobs carry a flag naming their warehouse (warehouse:<id>): a push takes the others queued
-- for its room along by selecting them through graphile-worker's public jobs view and removing
-- them with complete_jobs, instead of reading its private tables by payload. (Flags only matter
-- to a runner started with forbiddenFlags; ours is not.) Otherwise as 0012.
CREATE OR REPLACE FUNCTION inventory.publish_stock_changes(p_warehouse_ids uuid[], p_skus text[], p_request_id text)
RETURNS void LANGUAGE sql
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
  WITH changed AS (
    SELECT s.warehouse_id, s.sku, s.on_hand, s.reserved, s.version, s.version - c.n AS from_version
    FROM inventory.stock_levels s
    JOIN (SELECT w, k, count(*) AS n FROM unnest(p_warehouse_ids, p_skus) AS c(w, k) GROUP BY w, k) c
      ON s.warehouse_id = c.w AND s.sku = c.k
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
      FROM changed ORDER BY warehouse_id, sku)
    -- One push-warehouse-levels job per warehouse: the levels for its room at the edge.
    || array(
      SELECT (
        'push-warehouse-levels',
        json_build_object(
          'warehouseId', warehouse_id,
          'levels', json_agg(json_build_object(
            'sku', sku, 'onHand', on_hand, 'reserved', reserved, 'version', version,
            'fromVersion', from_version) ORDER BY sku)),
        null, null, null, null, -10,
        -- Flagged with its warehouse, so a push can find and take along the others queued for
        -- the same room through graphile-worker's public jobs view (which has no payload).
        ARRAY['warehouse:' || warehouse_id])::graphile_worker.job_spec
      FROM changed GROUP BY warehouse_id))
$$;
