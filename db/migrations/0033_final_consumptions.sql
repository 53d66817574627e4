-- A shipment's consume that found the holds short is recorded as its outcome, as a success
-- already was (inventory.consumptions, by operation id). Until now only a success was: a request
-- still holding a shipment its recorder had given up after a short consume (the order then
-- cleared of it) could consume it later, once the order held stock again, and nobody would
-- apply it to the order. A transfer's consume runs in inventory's own transaction, which rolls
-- the record back with the refusal, as before.
CREATE OR REPLACE FUNCTION inventory.consume_stock(p_op jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
AS $$
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
    -- Final, like a success: a later call with this id (a request still holding the shipment
    -- after its recorder gave it up) must not ship it once stock is held again.
    v_result := jsonb_build_object('ok', false, 'short', v_short);
    INSERT INTO inventory.consumptions (operation_id, result)
    VALUES ((p_op->>'operationId')::uuid, v_result);
    RETURN v_result;
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

