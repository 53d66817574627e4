-- The stock write path, as database functions: each runs in one round trip, takes its row locks
-- in one fixed order (warehouse_id, sku), decides under those locks and writes, so no update is
-- ever lost and concurrent multi-line requests cannot deadlock. Callers: core/inventory/*.ts.

-- The ledger is append-only: history is never rewritten, not even by a buggy service.
CREATE FUNCTION inventory.refuse_ledger_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'inventory.movements is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER movements_append_only BEFORE UPDATE OR DELETE ON inventory.movements
  FOR EACH ROW EXECUTE FUNCTION inventory.refuse_ledger_rewrite();
--> statement-breakpoint
CREATE TRIGGER movements_no_truncate BEFORE TRUNCATE ON inventory.movements
  FOR EACH STATEMENT EXECUTE FUNCTION inventory.refuse_ledger_rewrite();
--> statement-breakpoint

-- One stock.changed event per level, carrying its state and version after the change,
-- enqueued with graphile-worker's add_jobs in the caller's transaction (the outbox).
CREATE FUNCTION inventory.publish_stock_changes(p_warehouse_ids uuid[], p_skus text[], p_request_id text)
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
    ORDER BY s.warehouse_id, s.sku))
$$;
--> statement-breakpoint

-- Reserve, release and keep holds for many requests in one transaction (the coalescing path).
-- p_ops: [{ kind: 'reserve'|'release'|'release-expired'|'keep', holderType, holderId,
--           lines: [{ warehouseId, sku, qty }] | null (release/keep: every line of the holder),
--           expiresAt: timestamptz | null, requestId }]
-- Returns one result per op, in order: { ok: true } or { ok: false, short: [...] }.
-- A reserve is all or nothing; lines of one op for the same level are summed first.
CREATE FUNCTION inventory.hold_stock(p_ops jsonb) RETURNS jsonb LANGUAGE plpgsql
  -- Every statement here touches a handful of levels by primary key; the planner, which guesses
  -- 100 rows for jsonb_array_elements, would otherwise hash-join against the whole table.
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
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
  PERFORM 1 FROM inventory.stock_levels s
  WHERE s.warehouse_id = ANY(v_lw) AND s.sku = ANY(v_ls)
    AND (s.warehouse_id, s.sku) IN (SELECT * FROM unnest(v_lw, v_ls))
  ORDER BY s.warehouse_id, s.sku
  FOR UPDATE;

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
--> statement-breakpoint

-- Ships held stock: takes units out of a holder's reservations and out of on_hand, writing one
-- ledger movement per level. Idempotent by operationId: a retried shipment returns the first
-- result and moves nothing.
-- p_op: { operationId, holderType, holderId, lines: [{ warehouseId, sku, qty }], type, reason,
--         referenceType, referenceId, actorId, requestId }
CREATE FUNCTION inventory.consume_stock(p_op jsonb) RETURNS jsonb LANGUAGE plpgsql
  -- Every statement here touches a handful of levels by primary key; the planner, which guesses
  -- 100 rows for jsonb_array_elements, would otherwise hash-join against the whole table.
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  v_done jsonb;
  v_short jsonb;
  v_result jsonb;
  v_cw uuid[];
  v_cs text[];
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_op->>'operationId', 0));
  SELECT result INTO v_done FROM inventory.consumptions WHERE operation_id = (p_op->>'operationId')::uuid;
  IF FOUND THEN RETURN v_done; END IF;

  PERFORM 1 FROM inventory.stock_levels s
  WHERE (s.warehouse_id, s.sku) IN (
    SELECT (l->>'warehouseId')::uuid, l->>'sku' FROM jsonb_array_elements(p_op->'lines') l)
  ORDER BY s.warehouse_id, s.sku
  FOR UPDATE;

  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'warehouseId', l.w, 'sku', l.sku, 'requested', l.qty, 'held', coalesce(r.qty, 0))), '[]')
    INTO v_short
  FROM (SELECT (x->>'warehouseId')::uuid w, x->>'sku' sku, sum((x->>'qty')::int) qty
        FROM jsonb_array_elements(p_op->'lines') x GROUP BY 1, 2) l
  LEFT JOIN inventory.reservations r
    ON r.holder_type = p_op->>'holderType' AND r.holder_id = (p_op->>'holderId')::uuid
   AND r.warehouse_id = l.w AND r.sku = l.sku
  WHERE coalesce(r.qty, 0) < l.qty;
  IF jsonb_array_length(v_short) > 0 THEN
    RETURN jsonb_build_object('ok', false, 'short', v_short);
  END IF;

  WITH l AS (
    SELECT (x->>'warehouseId')::uuid w, x->>'sku' sku, sum((x->>'qty')::int) qty
    FROM jsonb_array_elements(p_op->'lines') x GROUP BY 1, 2 HAVING sum((x->>'qty')::int) > 0
  ), gone AS (
    DELETE FROM inventory.reservations r USING l
    WHERE r.holder_type = p_op->>'holderType' AND r.holder_id = (p_op->>'holderId')::uuid
      AND r.warehouse_id = l.w AND r.sku = l.sku AND r.qty = l.qty
  ), kept AS (
    UPDATE inventory.reservations r SET qty = r.qty - l.qty FROM l
    WHERE r.holder_type = p_op->>'holderType' AND r.holder_id = (p_op->>'holderId')::uuid
      AND r.warehouse_id = l.w AND r.sku = l.sku AND r.qty > l.qty
  ), lvl AS (
    UPDATE inventory.stock_levels s
    SET on_hand = s.on_hand - l.qty, reserved = s.reserved - l.qty,
        version = s.version + 1, updated_at = now()
    FROM l WHERE s.warehouse_id = l.w AND s.sku = l.sku
    RETURNING s.warehouse_id, s.sku, s.on_hand, s.version, l.qty
  ), moved AS (
    INSERT INTO inventory.movements
      (warehouse_id, sku, type, reason, qty, on_hand_after, level_version,
       reference_type, reference_id, actor_id)
    SELECT warehouse_id, sku, p_op->>'type', p_op->>'reason', -qty, on_hand, version,
           p_op->>'referenceType', p_op->>'referenceId', p_op->>'actorId'
    FROM lvl
    RETURNING id
  )
  SELECT array_agg(warehouse_id), array_agg(sku),
         jsonb_build_object('ok', true, 'movements', (SELECT count(*) FROM moved))
    INTO v_cw, v_cs, v_result FROM lvl;

  INSERT INTO inventory.consumptions (operation_id, result)
  VALUES ((p_op->>'operationId')::uuid, v_result);
  IF v_cw IS NOT NULL THEN
    PERFORM inventory.publish_stock_changes(v_cw, v_cs, p_op->>'requestId');
  END IF;
  RETURN v_result;
END $$;
--> statement-breakpoint

-- Changes on_hand outside holds: receipts, adjustments, counts, transfer arrivals. Each line
-- either adds a signed delta or (mode 'set', for counts) sets on_hand to what was counted, the
-- variance becoming the movement. All lines or none: a line that would take on_hand below
-- what is reserved refuses the whole request.
-- p_op: { mode: 'delta'|'set', lines: [{ warehouseId, sku, qty }], type, reason, note,
--         referenceType, referenceId, actorId, requestId }
-- Returns { ok: true, movements: [...], levels: [...] } or { ok: false, short: [...] }.
CREATE FUNCTION inventory.move_stock(p_op jsonb) RETURNS jsonb LANGUAGE plpgsql
  -- Every statement here touches a handful of levels by primary key; the planner, which guesses
  -- 100 rows for jsonb_array_elements, would otherwise hash-join against the whole table.
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  v_plan jsonb;
  v_short jsonb;
  v_result jsonb;
  v_cw uuid[];
  v_cs text[];
  v_set boolean := p_op->>'mode' = 'set';
BEGIN
  -- Levels a line creates start empty (a receipt of a sku new to the warehouse).
  INSERT INTO inventory.stock_levels (warehouse_id, sku)
  SELECT DISTINCT (l->>'warehouseId')::uuid, l->>'sku' FROM jsonb_array_elements(p_op->'lines') l
  ORDER BY 1, 2
  ON CONFLICT (warehouse_id, sku) DO NOTHING;

  PERFORM 1 FROM inventory.stock_levels s
  WHERE (s.warehouse_id, s.sku) IN (
    SELECT (l->>'warehouseId')::uuid, l->>'sku' FROM jsonb_array_elements(p_op->'lines') l)
  ORDER BY s.warehouse_id, s.sku
  FOR UPDATE;

  -- The plan, read under the locks: each level's state before and the change to it.
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'w', l.w, 'sku', l.sku, 'onHand', s.on_hand, 'reserved', s.reserved,
           'delta', CASE WHEN v_set THEN l.qty - s.on_hand ELSE l.qty END) ORDER BY l.w, l.sku), '[]')
    INTO v_plan
  FROM (SELECT (x->>'warehouseId')::uuid w, x->>'sku' sku,
               CASE WHEN v_set THEN max((x->>'qty')::int) ELSE sum((x->>'qty')::int) END qty
        FROM jsonb_array_elements(p_op->'lines') x GROUP BY 1, 2) l
  JOIN inventory.stock_levels s ON s.warehouse_id = l.w AND s.sku = l.sku;

  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'warehouseId', p.w, 'sku', p.sku, 'onHand', p."onHand", 'reserved', p.reserved, 'delta', p.delta)), '[]')
    INTO v_short
  FROM jsonb_to_recordset(v_plan) p(w uuid, sku text, "onHand" int, reserved int, delta int)
  WHERE p."onHand" + p.delta < p.reserved;
  IF jsonb_array_length(v_short) > 0 THEN
    RETURN jsonb_build_object('ok', false, 'short', v_short);
  END IF;

  WITH p AS (
    SELECT * FROM jsonb_to_recordset(v_plan) p(w uuid, sku text, "onHand" int, reserved int, delta int)
    WHERE delta <> 0
  ), lvl AS (
    UPDATE inventory.stock_levels s
    SET on_hand = s.on_hand + p.delta, version = s.version + 1, updated_at = now()
    FROM p WHERE s.warehouse_id = p.w AND s.sku = p.sku
    RETURNING s.warehouse_id, s.sku, s.on_hand, s.version, p.delta
  ), moved AS (
    INSERT INTO inventory.movements
      (warehouse_id, sku, type, reason, qty, on_hand_after, level_version,
       reference_type, reference_id, note, actor_id)
    SELECT warehouse_id, sku, p_op->>'type', p_op->>'reason', delta, on_hand, version,
           p_op->>'referenceType', p_op->>'referenceId', p_op->>'note', p_op->>'actorId'
    FROM lvl
    RETURNING *
  )
  SELECT array_agg(m.warehouse_id), array_agg(m.sku),
         jsonb_build_object('ok', true, 'plan', v_plan,
                            'movements', coalesce(jsonb_agg(to_jsonb(m) ORDER BY m.id), '[]'))
    INTO v_cw, v_cs, v_result
  FROM moved m;

  IF v_cw IS NOT NULL THEN
    PERFORM inventory.publish_stock_changes(v_cw, v_cs, p_op->>'requestId');
  END IF;
  RETURN v_result;
END $$;
