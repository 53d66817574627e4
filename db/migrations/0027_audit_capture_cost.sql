-- The audit triggers cost the write they record several times over (an order's insert paid
-- ~10x): the changed fields were gathered one jsonb concatenation at a time, and redaction
-- called a PL/pgSQL function on every value of every row. Now the change set is one aggregate,
-- and redaction runs only on a change set whose text names a secret-like field at all: a
-- field the deny-list matches always contains one of these words, so a text without any of
-- them has nothing to redact (a false alarm, e.g. "key" in a value, only costs the full pass).
-- What is recorded is unchanged, field for field.
CREATE OR REPLACE FUNCTION audit.may_hold_secret(p jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p::text ~* '(passw|secret|token|hash|private|sealed|cipher|credential|key|kek)'
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit.redact(p jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_out jsonb;
BEGIN
  IF NOT audit.may_hold_secret(p) THEN RETURN p; END IF;
  IF jsonb_typeof(p) = 'array' THEN
    SELECT coalesce(jsonb_agg(audit.redact(e) ORDER BY i), '[]') INTO v_out
    FROM jsonb_array_elements(p) WITH ORDINALITY AS x(e, i);
    RETURN v_out;
  ELSIF jsonb_typeof(p) <> 'object' THEN
    RETURN p;
  END IF;
  SELECT coalesce(jsonb_object_agg(k, CASE
      WHEN k ~* '(password|passwd|secret|token|_hash$|^hash$|hash_|private|sealed|cipher|credential|^key$|api_?key_?material|signing_?key|^kek)'
        AND v <> 'null'::jsonb THEN '"[redacted]"'::jsonb
      ELSE audit.redact(v) END), '{}') INTO v_out
  FROM jsonb_each(p) AS x(k, v);
  RETURN v_out;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit.capture() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_changes jsonb;
  v_col text;
  v_warehouses uuid[] := '{}';
  v_ctx jsonb;
BEGIN
  IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW); END IF;
  v_row := coalesce(v_new, v_old);
  SELECT jsonb_object_agg(k, jsonb_build_object('before', b, 'after', a)) INTO v_changes
  FROM (SELECT k, coalesce(v_old->k, 'null') AS b, coalesce(v_new->k, 'null') AS a
        FROM jsonb_object_keys(v_row) AS k) AS x
  WHERE k NOT IN ('created_at', 'updated_at', 'version', 'last_login_at', 'last_used_at',
                  'failing_since', 'paused_until', 'barcode_key')
    AND b <> a;
  -- Compared in full above (a new password is a change), recorded redacted.
  IF v_changes IS NULL THEN RETURN NULL; END IF;
  IF audit.may_hold_secret(v_changes) THEN v_changes := audit.redact_changes(v_changes); END IF;
  FOREACH v_col IN ARRAY coalesce(string_to_array(nullif(TG_ARGV[1], ''), ','), '{}') LOOP
    IF jsonb_typeof(v_row->v_col) = 'array' THEN
      v_warehouses := v_warehouses || ARRAY(SELECT jsonb_array_elements_text(v_row->v_col)::uuid);
    ELSIF jsonb_typeof(v_row->v_col) = 'string' THEN
      v_warehouses := v_warehouses || (v_row->>v_col)::uuid;
    END IF;
  END LOOP;
  v_ctx := audit.context_for(v_row->>'id');
  INSERT INTO audit.entries (actor, action, entity_type, entity_id, changes, request_id, warehouse_ids)
  VALUES (coalesce(v_ctx->'actor', '{"kind": "system"}'),
          CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
          TG_ARGV[0], v_row->>'id', v_changes, v_ctx->>'requestId', v_warehouses);
  RETURN NULL;
END $$;
