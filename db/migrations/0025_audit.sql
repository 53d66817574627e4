-- The audit log (core/audit): every write to an audited table, with who made it, from where and
-- under which request, captured by triggers so no write path can forget it. Who comes from the
-- connection's `varastokkr.audit` setting, which core sets on each connection a write request
-- checks out (core/platform/audit-context.ts); without it (jobs, scripts) the actor is "system".
-- Rows are inserted by the writing transaction itself, so a row exists iff the write committed,
-- and without a hash: a global "previous row" read here would serialize every write. The job
-- chain-audit appends them to audit.chain afterwards (core/audit/chain.ts), in (txid, id) order
-- up to the oldest transaction still running, so a row that commits late is never skipped.
CREATE SCHEMA audit;
--> statement-breakpoint
CREATE TABLE audit.entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The writing transaction: the chain takes rows only once every older transaction has ended.
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  at timestamptz NOT NULL DEFAULT now(),
  actor jsonb NOT NULL,
  actor_id text GENERATED ALWAYS AS (actor->>'id') STORED,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  changes jsonb NOT NULL,
  request_id text,
  -- The warehouses the row is about ('{}': none, e.g. a product): what a manager's scope sees.
  warehouse_ids uuid[] NOT NULL DEFAULT '{}'
);
--> statement-breakpoint
CREATE INDEX entries_entity_idx ON audit.entries (entity_type, entity_id, id);
--> statement-breakpoint
CREATE INDEX entries_actor_idx ON audit.entries (actor_id, id);
--> statement-breakpoint
CREATE INDEX entries_at_idx ON audit.entries (at, id);
--> statement-breakpoint
CREATE INDEX entries_chain_order_idx ON audit.entries (txid, id);
--> statement-breakpoint
CREATE INDEX entries_warehouses_idx ON audit.entries USING gin (warehouse_ids);
--> statement-breakpoint
-- The hash chain: position n holds sha256(hash of n-1, the entry's canonical content). Its own
-- table, append-only too, so that no audit row is ever updated, not even to add its hash.
CREATE TABLE audit.chain (
  position bigint PRIMARY KEY,
  entry_id bigint NOT NULL UNIQUE REFERENCES audit.entries (id),
  prev_hash text NOT NULL,
  hash text NOT NULL,
  chained_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE FUNCTION audit.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%.% is append-only (% refused)', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON audit.entries
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_rewrite();
--> statement-breakpoint
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON audit.entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_rewrite();
--> statement-breakpoint
CREATE TRIGGER chain_append_only BEFORE UPDATE OR DELETE ON audit.chain
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_rewrite();
--> statement-breakpoint
CREATE TRIGGER chain_no_truncate BEFORE TRUNCATE ON audit.chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_rewrite();
--> statement-breakpoint
-- Roles other than the owner never get to rewrite it either (the owner is stopped by the triggers).
REVOKE UPDATE, DELETE, TRUNCATE ON audit.entries, audit.chain FROM PUBLIC;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'varastokkr_edge') THEN
    REVOKE ALL ON audit.entries, audit.chain FROM varastokkr_edge;
  END IF;
END
$$;
--> statement-breakpoint
-- Secrets never enter the log: a field whose name is on this deny-list keeps its place (so the
-- log says it changed) with "[redacted]" for its value, at any depth of a JSON value.
CREATE FUNCTION audit.redact(p jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_out jsonb;
BEGIN
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
-- Each changed field's before and after, redacted as its field name says.
CREATE FUNCTION audit.redact_changes(p jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(k, jsonb_build_object(
    'before', audit.redact(jsonb_build_object(k, v->'before'))->k,
    'after', audit.redact(jsonb_build_object(k, v->'after'))->k)), '{}')
  FROM jsonb_each(p) AS x(k, v)
$$;
--> statement-breakpoint
-- Who is writing: the connection's context (core/platform/audit-context.ts), where a batch
-- writer may name a different actor per entity ("entities"); "system" without one.
CREATE FUNCTION audit.context_for(p_entity_id text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_ctx jsonb := nullif(current_setting('varastokkr.audit', true), '')::jsonb;
BEGIN
  RETURN coalesce(v_ctx->'entities'->p_entity_id, v_ctx, '{}'::jsonb);
END $$;
--> statement-breakpoint
-- One row per changed row of an audited table: TG_ARGV[0] the entity type, TG_ARGV[1] the
-- columns naming its warehouses (comma-separated; uuid or uuid[]). Only changed fields are
-- kept, with before and after; a change to bookkeeping fields alone is no entry.
CREATE FUNCTION audit.capture() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_changes jsonb := '{}';
  v_key text;
  v_col text;
  v_warehouses uuid[] := '{}';
  v_ctx jsonb;
BEGIN
  IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW); END IF;
  v_row := coalesce(v_new, v_old);
  FOR v_key IN SELECT jsonb_object_keys(v_row) LOOP
    CONTINUE WHEN v_key IN ('created_at', 'updated_at', 'version', 'last_login_at', 'last_used_at',
      'failing_since', 'paused_until', 'barcode_key');
    CONTINUE WHEN coalesce(v_old->v_key, 'null') = coalesce(v_new->v_key, 'null');
    v_changes := v_changes || jsonb_build_object(v_key,
      jsonb_build_object('before', coalesce(v_old->v_key, 'null'), 'after', coalesce(v_new->v_key, 'null')));
  END LOOP;
  -- Compared in full above (a new password is a change), recorded redacted.
  v_changes := audit.redact_changes(v_changes);
  IF v_changes = '{}' THEN RETURN NULL; END IF;
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
--> statement-breakpoint
-- Stock adjustments, counts and receipts: the ledger has every movement already; the log gets
-- who did it, one entry per level changed (shipments and transfers are their documents' entries).
CREATE FUNCTION audit.capture_movement() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_ctx jsonb := audit.context_for(NEW.sku);
BEGIN
  INSERT INTO audit.entries (actor, action, entity_type, entity_id, changes, request_id, warehouse_ids)
  VALUES (coalesce(v_ctx->'actor', '{"kind": "system"}'), NEW.type, 'stock', NEW.sku,
          jsonb_build_object(
            'onHand', jsonb_build_object('before', NEW.on_hand_after - NEW.qty, 'after', NEW.on_hand_after),
            'reason', jsonb_build_object('before', null, 'after', NEW.reason),
            'note', jsonb_build_object('before', null, 'after', NEW.note)),
          v_ctx->>'requestId', ARRAY[NEW.warehouse_id]);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER products_audit AFTER INSERT OR UPDATE OR DELETE ON catalog.products
  FOR EACH ROW EXECUTE FUNCTION audit.capture('product', '');
--> statement-breakpoint
CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON identity.users
  FOR EACH ROW EXECUTE FUNCTION audit.capture('user', 'warehouse_ids');
--> statement-breakpoint
CREATE TRIGGER api_keys_audit AFTER INSERT OR UPDATE OR DELETE ON identity.api_keys
  FOR EACH ROW EXECUTE FUNCTION audit.capture('api_key', 'warehouse_ids');
--> statement-breakpoint
CREATE TRIGGER warehouses_audit AFTER INSERT OR UPDATE OR DELETE ON inventory.warehouses
  FOR EACH ROW EXECUTE FUNCTION audit.capture('warehouse', 'id');
--> statement-breakpoint
CREATE TRIGGER transfers_audit AFTER INSERT OR UPDATE OR DELETE ON inventory.transfers
  FOR EACH ROW EXECUTE FUNCTION audit.capture('transfer', 'from_warehouse_id,to_warehouse_id');
--> statement-breakpoint
CREATE TRIGGER movements_audit AFTER INSERT ON inventory.movements
  FOR EACH ROW WHEN (NEW.type IN ('adjustment', 'count', 'receipt')) EXECUTE FUNCTION audit.capture_movement();
--> statement-breakpoint
CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE OR DELETE ON orders.orders
  FOR EACH ROW EXECUTE FUNCTION audit.capture('order', 'warehouse_ids');
--> statement-breakpoint
CREATE TRIGGER vendors_audit AFTER INSERT OR UPDATE OR DELETE ON purchasing.vendors
  FOR EACH ROW EXECUTE FUNCTION audit.capture('vendor', '');
--> statement-breakpoint
CREATE TRIGGER purchase_orders_audit AFTER INSERT OR UPDATE OR DELETE ON purchasing.purchase_orders
  FOR EACH ROW EXECUTE FUNCTION audit.capture('purchase_order', 'warehouse_id');
--> statement-breakpoint
CREATE TRIGGER subscriptions_audit AFTER INSERT OR UPDATE OR DELETE ON webhooks.subscriptions
  FOR EACH ROW EXECUTE FUNCTION audit.capture('webhook_subscription', '');
--> statement-breakpoint
CREATE TRIGGER connections_audit AFTER INSERT OR UPDATE OR DELETE ON integrations.connections
  FOR EACH ROW EXECUTE FUNCTION audit.capture('shop_connection', 'warehouse_id');
--> statement-breakpoint
-- The MongoDB copy (core/audit/mongo-archive.ts) reads the event archive in the same commit-safe
-- (txid, id) order as the chain. No default on ADD COLUMN (a volatile one would rewrite the
-- table): rows archived before this migration have none and sort first.
ALTER TABLE integrations.event_archive ADD COLUMN archived_txid xid8;
--> statement-breakpoint
ALTER TABLE integrations.event_archive ALTER COLUMN archived_txid SET DEFAULT pg_current_xact_id();
--> statement-breakpoint
CREATE INDEX event_archive_copy_order_idx ON integrations.event_archive ((coalesce(archived_txid, '0'::xid8)), id);
