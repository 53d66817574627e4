-- hold_stock locks the levels of its batch first. It found them with
--   WHERE s.warehouse_id = ANY(v_lw) AND s.sku = ANY(v_ls) AND (s.warehouse_id, s.sku) IN (unnest)
-- which probes every warehouse x sku pair of the batch and, with hash joins pinned off, checks
-- each level found against the whole key list: on 15,000 levels, 8.7 ms of execution for 256 keys
-- and 411 ms for 1,024 (a coalesced batch of up to 256 orders of mixed skus reaches that). It
-- now walks the distinct keys and probes the primary key once for each: 1.05 ms and 3.9 ms.
--
-- That statement was also planned on every call, as the planner keeps custom plans for
-- statements over arrays (0.13 ms of a hold at one client, bench order-profile). Driven from the
-- key list, the kept (generic) plan is the same nested loop of primary-key probes at any batch
-- size (measured 0.07 / 0.88 / 3.07 ms for 4 / 256 / 1,024 keys), and the function's statements
-- keep their plans: plan_cache_mode = force_generic_plan. An ANALYZE of a table still makes the
-- kept plans anew, and the SET pins keep sequential scans, hash and merge joins out of them.
CREATE OR REPLACE FUNCTION inventory.hold_stock(p_ops jsonb) RETURNS jsonb LANGUAGE plpgsql
  -- Every statement here touches a handful of levels by primary key; the planner, which guesses
  -- 100 rows for jsonb_array_elements, would otherwise hash-join against the whole table.
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
  -- Its plans are kept for the connection's life (see the head of this file).
  SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_op jsonb;
  v_short jsonb;
  v_results jsonb := '[]';
  v_w uuid[] := '{}';
  v_s text[] := '{}';
  v_cw uuid[];
  v_cs text[];
  v_holder_type text;
  v_holder uuid;
  v_lw uuid[];
  v_ls text[];
BEGIN
  -- Every level this batch can touch, locked once, in the one global order. The keys are
  -- gathered first (LATERAL keeps each hold lookup an index probe), then locked through the
  -- primary key, so the cost follows the batch, not the size of the tables.
  SELECT array_agg(k.w), array_agg(k.sku) INTO v_lw, v_ls
  FROM (
      SELECT (l->>'warehouseId')::uuid AS w, l->>'sku' AS sku
      FROM jsonb_array_elements(p_ops) o, jsonb_array_elements(coalesce(nullif(o->'lines', 'null'), '[]')) l
      UNION
      SELECT r.warehouse_id, r.sku
      FROM jsonb_array_elements(p_ops) o
      CROSS JOIN LATERAL (
        SELECT r.warehouse_id, r.sku FROM inventory.reservations r
        WHERE r.holder_type = o->>'holderType' AND r.holder_id = (o->>'holderId')::uuid) r
      WHERE jsonb_typeof(o->'lines') IS DISTINCT FROM 'array'
    ) k;
  PERFORM 1
  FROM (SELECT DISTINCT w, sku FROM unnest(v_lw, v_ls) AS k(w, sku)) k
  JOIN inventory.stock_levels s ON s.warehouse_id = k.w AND s.sku = k.sku
  ORDER BY s.warehouse_id, s.sku
  FOR UPDATE OF s;

  FOR v_op IN SELECT value FROM jsonb_array_elements(p_ops) LOOP
    v_holder_type := v_op->>'holderType';
    v_holder := (v_op->>'holderId')::uuid;

    IF v_op->>'kind' = 'reserve' THEN
      SELECT coalesce(jsonb_agg(jsonb_build_object(
               'warehouseId', l.w, 'sku', l.sku, 'requested', l.qty,
               'available', coalesce(s.on_hand - s.reserved, 0)) ORDER BY l.w, l.sku), '[]')
        INTO v_short
      FROM (SELECT (x->>'warehouseId')::uuid w, x->>'sku' sku, sum((x->>'qty')::int) qty
            FROM jsonb_array_elements(v_op->'lines') x GROUP BY 1, 2) l
      LEFT JOIN inventory.stock_levels s ON s.warehouse_id = l.w AND s.sku = l.sku
      WHERE s.sku IS NULL OR s.on_hand - s.reserved < l.qty;
      IF jsonb_array_length(v_short) > 0 THEN
        v_results := v_results || jsonb_build_array(jsonb_build_object('ok', false, 'short', v_short));
        CONTINUE;
      END IF;

      WITH l AS (
        SELECT (x->>'warehouseId')::uuid w, x->>'sku' sku, sum((x->>'qty')::int) qty
        FROM jsonb_array_elements(v_op->'lines') x GROUP BY 1, 2
      ), lvl AS (
        UPDATE inventory.stock_levels s
        SET reserved = s.reserved + l.qty, version = s.version + 1, updated_at = now()
        FROM l WHERE s.warehouse_id = l.w AND s.sku = l.sku AND s.on_hand - s.reserved >= l.qty
        RETURNING s.warehouse_id, s.sku
      ), held AS (
        INSERT INTO inventory.reservations AS r (holder_type, holder_id, warehouse_id, sku, qty, expires_at)
        SELECT v_holder_type, v_holder, l.w, l.sku, l.qty, (v_op->>'expiresAt')::timestamptz FROM l
        ON CONFLICT (holder_type, holder_id, warehouse_id, sku)
        DO UPDATE SET qty = r.qty + excluded.qty, expires_at = excluded.expires_at
      )
      SELECT array_agg(warehouse_id), array_agg(sku) INTO v_cw, v_cs FROM lvl;

    ELSIF v_op->>'kind' IN ('release', 'release-expired') THEN
      -- A line may name what it saw held ("held"): if the hold changed since, refuse the op.
      IF EXISTS (
        SELECT 1 FROM jsonb_array_elements(coalesce(nullif(v_op->'lines', 'null'), '[]')) x
        LEFT JOIN inventory.reservations r
          ON r.holder_type = v_holder_type AND r.holder_id = v_holder
         AND r.warehouse_id = (x->>'warehouseId')::uuid AND r.sku = x->>'sku'
        WHERE x ? 'held' AND coalesce(r.qty, 0) <> (x->>'held')::int
      ) THEN
        v_results := v_results || jsonb_build_array(jsonb_build_object('ok', false, 'short', '[]'::jsonb));
        CONTINUE;
      END IF;
      WITH l AS (
        SELECT (x->>'warehouseId')::uuid w, x->>'sku' sku, sum((x->>'qty')::int) qty
        FROM jsonb_array_elements(coalesce(nullif(v_op->'lines', 'null'), '[]')) x GROUP BY 1, 2
      ), amt AS (
        SELECT r.warehouse_id w, r.sku, r.qty held,
               least(r.qty, coalesce(l.qty, r.qty)) qty
        FROM inventory.reservations r
        LEFT JOIN l ON l.w = r.warehouse_id AND l.sku = r.sku
        WHERE r.holder_type = v_holder_type AND r.holder_id = v_holder
          AND (jsonb_typeof(v_op->'lines') IS DISTINCT FROM 'array' OR l.sku IS NOT NULL)
          AND (v_op->>'kind' = 'release' OR r.expires_at < now())
      ), gone AS (
        DELETE FROM inventory.reservations r USING amt
        WHERE r.holder_type = v_holder_type AND r.holder_id = v_holder
          AND r.warehouse_id = amt.w AND r.sku = amt.sku AND amt.qty = amt.held
      ), kept AS (
        UPDATE inventory.reservations r SET qty = r.qty - amt.qty FROM amt
        WHERE r.holder_type = v_holder_type AND r.holder_id = v_holder
          AND r.warehouse_id = amt.w AND r.sku = amt.sku AND amt.qty < amt.held AND amt.qty > 0
      ), lvl AS (
        UPDATE inventory.stock_levels s
        SET reserved = s.reserved - amt.qty, version = s.version + 1, updated_at = now()
        FROM amt WHERE s.warehouse_id = amt.w AND s.sku = amt.sku AND amt.qty > 0
        RETURNING s.warehouse_id, s.sku
      )
      SELECT array_agg(warehouse_id), array_agg(sku) INTO v_cw, v_cs FROM lvl;

    ELSIF v_op->>'kind' = 'keep' THEN
      UPDATE inventory.reservations r SET expires_at = (v_op->>'expiresAt')::timestamptz
      WHERE r.holder_type = v_holder_type AND r.holder_id = v_holder;
      v_cw := NULL;
      v_cs := NULL;
    ELSE
      RAISE EXCEPTION 'hold_stock: unknown kind %', v_op->>'kind';
    END IF;

    v_w := v_w || coalesce(v_cw, '{}');
    v_s := v_s || coalesce(v_cs, '{}');
    v_results := v_results || jsonb_build_array(jsonb_build_object('ok', true));
  END LOOP;

  IF cardinality(v_w) > 0 THEN
    PERFORM inventory.publish_stock_changes(v_w, v_s, p_ops->0->>'requestId');
  END IF;
  RETURN v_results;
END $$;
