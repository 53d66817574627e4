-- The warehouse rooms' feed: with its stock.changed events, a stock change now also enqueues
-- one push-warehouse-levels job per warehouse it touched, carrying those levels with their
-- versions. The rooms apply by version, so a retried, duplicated or reordered push is harmless.
CREATE OR REPLACE FUNCTION inventory.publish_stock_changes(p_warehouse_ids uuid[], p_skus text[], p_request_id text)
RETURNS void LANGUAGE sql
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
  SELECT graphile_worker.add_jobs(array(
    SELECT (
      'publish-event',
      json_build_object(
        'id', gen_random_uuid(),
        'type', 'stock.changed',
        'occurredAt', now(),
        'warehouseId', s.warehouse_id,
        'data', json_build_object(
          'sku', s.sku, 'onHand', s.on_hand, 'reserved', s.reserved,
          'available', s.on_hand - s.reserved, 'version', s.version),
        'requestId', p_request_id),
      null, null, null, null, null, null)::graphile_worker.job_spec
    FROM inventory.stock_levels s
    JOIN (SELECT DISTINCT w, k FROM unnest(p_warehouse_ids, p_skus) AS c(w, k)) c
      ON s.warehouse_id = c.w AND s.sku = c.k
    ORDER BY s.warehouse_id, s.sku));
  SELECT graphile_worker.add_jobs(array(
    SELECT (
      'push-warehouse-levels',
      json_build_object(
        'warehouseId', s.warehouse_id,
        'levels', json_agg(json_build_object(
          'sku', s.sku, 'onHand', s.on_hand, 'reserved', s.reserved, 'version', s.version)
          ORDER BY s.sku)),
      null, null, null, null, null, null)::graphile_worker.job_spec
    FROM inventory.stock_levels s
    JOIN (SELECT DISTINCT w, k FROM unnest(p_warehouse_ids, p_skus) AS c(w, k)) c
      ON s.warehouse_id = c.w AND s.sku = c.k
    GROUP BY s.warehouse_id));
$$;
