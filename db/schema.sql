-- extensions

CREATE EXTENSION pg_trgm WITH SCHEMA public;

-- schemas

CREATE SCHEMA analytics;

CREATE SCHEMA audit;

CREATE SCHEMA catalog;

CREATE SCHEMA drizzle;

CREATE SCHEMA identity;

CREATE SCHEMA integrations;

CREATE SCHEMA inventory;

CREATE SCHEMA orders;

CREATE SCHEMA platform;

CREATE SCHEMA purchasing;

CREATE SCHEMA webhooks;

-- tables

CREATE TABLE analytics.daily_facts (
  warehouse_id uuid NOT NULL,
  sku text NOT NULL,
  day date NOT NULL,
  units_sold integer DEFAULT 0 NOT NULL,
  units_received integer DEFAULT 0 NOT NULL,
  units_transferred_in integer DEFAULT 0 NOT NULL,
  units_transferred_out integer DEFAULT 0 NOT NULL,
  units_adjusted integer DEFAULT 0 NOT NULL,
  movements integer DEFAULT 0 NOT NULL,
  on_hand_end integer NOT NULL,
  CONSTRAINT daily_facts_pkey PRIMARY KEY (warehouse_id, sku, day)
);

CREATE TABLE analytics.daily_money (
  warehouse_id uuid NOT NULL,
  day date NOT NULL,
  currency text NOT NULL,
  revenue bigint NOT NULL,
  cost_of_goods_sold bigint NOT NULL,
  CONSTRAINT daily_money_pkey PRIMARY KEY (warehouse_id, day, currency)
);

CREATE TABLE analytics.daily_revenue (
  warehouse_id uuid NOT NULL,
  sku text NOT NULL,
  day date NOT NULL,
  currency text NOT NULL,
  units integer NOT NULL,
  amount bigint NOT NULL,
  CONSTRAINT daily_revenue_pkey PRIMARY KEY (warehouse_id, day, sku, currency)
);

CREATE TABLE analytics.daily_totals (
  warehouse_id uuid NOT NULL,
  day date NOT NULL,
  units_sold bigint NOT NULL,
  units_in bigint NOT NULL,
  net_change bigint NOT NULL,
  movements bigint NOT NULL,
  CONSTRAINT daily_totals_pkey PRIMARY KEY (warehouse_id, day)
);

CREATE TABLE analytics.rollup_marks (
  taken_at timestamp with time zone NOT NULL,
  high_id bigint NOT NULL,
  CONSTRAINT rollup_marks_pkey PRIMARY KEY (taken_at)
);

CREATE TABLE analytics.rollup_state (
  id integer DEFAULT 1 NOT NULL,
  low_id bigint DEFAULT 0 NOT NULL,
  high_id bigint DEFAULT 0 NOT NULL,
  seen_count bigint DEFAULT 0 NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT rollup_state_pkey PRIMARY KEY (id),
  CONSTRAINT rollup_state_single_check CHECK ((id = 1))
);

CREATE TABLE analytics.stockouts (
  start_movement_id bigint NOT NULL,
  warehouse_id uuid NOT NULL,
  sku text NOT NULL,
  started_at timestamp with time zone NOT NULL,
  ended_at timestamp with time zone,
  end_movement_id bigint,
  CONSTRAINT stockouts_pkey PRIMARY KEY (start_movement_id)
);

CREATE TABLE audit.chain (
  "position" bigint NOT NULL,
  entry_id bigint NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  chained_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT chain_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES audit.entries(id),
  CONSTRAINT chain_entry_id_key UNIQUE (entry_id),
  CONSTRAINT chain_pkey PRIMARY KEY ("position")
);

CREATE TABLE audit.entries (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  txid xid8 DEFAULT pg_current_xact_id() NOT NULL,
  at timestamp with time zone DEFAULT now() NOT NULL,
  actor jsonb NOT NULL,
  actor_id text GENERATED ALWAYS AS ((actor ->> 'id'::text)) STORED,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  changes jsonb NOT NULL,
  request_id text,
  warehouse_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
  CONSTRAINT entries_pkey PRIMARY KEY (id)
);

CREATE TABLE catalog.products (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  sku text NOT NULL,
  name text NOT NULL,
  description text,
  barcode text,
  category text,
  unit text DEFAULT 'each'::text NOT NULL,
  price_amount integer,
  price_currency text,
  cost_amount integer,
  cost_currency text,
  attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
  archived boolean DEFAULT false NOT NULL,
  version integer DEFAULT 1 NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  barcode_key text GENERATED ALWAYS AS (
CASE
    WHEN (barcode ~ '^([0-9]{8}|[0-9]{12,13})$'::text) THEN lpad(barcode, 14, '0'::text)
    ELSE barcode
END) STORED,
  CONSTRAINT products_cost_check CHECK (((cost_amount IS NULL) OR (cost_amount >= 0))),
  CONSTRAINT products_money_check CHECK ((((price_amount IS NULL) = (price_currency IS NULL)) AND ((cost_amount IS NULL) = (cost_currency IS NULL)))),
  CONSTRAINT products_pkey PRIMARY KEY (id),
  CONSTRAINT products_price_check CHECK (((price_amount IS NULL) OR (price_amount >= 0)))
);

CREATE TABLE drizzle.__drizzle_migrations (
  id integer DEFAULT nextval('drizzle.__drizzle_migrations_id_seq'::regclass) NOT NULL,
  hash text NOT NULL,
  created_at bigint,
  CONSTRAINT __drizzle_migrations_pkey PRIMARY KEY (id)
);

CREATE TABLE identity.api_keys (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  prefix text NOT NULL,
  key_hash text NOT NULL,
  name text NOT NULL,
  roles text[] NOT NULL,
  warehouse_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
  user_id uuid,
  created_by_user_id uuid,
  last_used_at timestamp with time zone,
  revoked_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  created_by_key_id uuid,
  CONSTRAINT api_keys_created_by_key_id_api_keys_id_fk FOREIGN KEY (created_by_key_id) REFERENCES identity.api_keys(id) ON DELETE SET NULL,
  CONSTRAINT api_keys_created_by_user_id_users_id_fk FOREIGN KEY (created_by_user_id) REFERENCES identity.users(id) ON DELETE SET NULL,
  CONSTRAINT api_keys_one_creator_check CHECK ((num_nonnulls(created_by_user_id, created_by_key_id) <= 1)),
  CONSTRAINT api_keys_pkey PRIMARY KEY (id),
  CONSTRAINT api_keys_roles_check CHECK ((roles <@ ARRAY['admin'::text, 'manager'::text, 'clerk'::text, 'partner'::text])),
  CONSTRAINT api_keys_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES identity.users(id) ON DELETE CASCADE
);

CREATE TABLE identity.login_throttle (
  key text NOT NULL,
  failures integer NOT NULL,
  window_started_at timestamp with time zone NOT NULL,
  next_attempt_at timestamp with time zone,
  last_admitted boolean,
  CONSTRAINT login_throttle_pkey PRIMARY KEY (key)
);

CREATE TABLE identity.refresh_tokens (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  family_id uuid NOT NULL,
  user_id uuid NOT NULL,
  token_hash text NOT NULL,
  status text DEFAULT 'active'::text NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  expires_at timestamp with time zone NOT NULL,
  rotated_at timestamp with time zone,
  successor_sealed text,
  CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id),
  CONSTRAINT refresh_tokens_status_check CHECK ((status = ANY (ARRAY['active'::text, 'rotated'::text, 'revoked'::text]))),
  CONSTRAINT refresh_tokens_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES identity.users(id) ON DELETE CASCADE
);

CREATE TABLE identity.signing_keys (
  kid text NOT NULL,
  public_jwk jsonb NOT NULL,
  private_jwk jsonb,
  status text NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  activated_at timestamp with time zone,
  retired_at timestamp with time zone,
  expires_at timestamp with time zone,
  private_key_sealed text,
  CONSTRAINT signing_keys_pkey PRIMARY KEY (kid),
  CONSTRAINT signing_keys_private_key_check CHECK (((private_jwk IS NOT NULL) OR (private_key_sealed IS NOT NULL))),
  CONSTRAINT signing_keys_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'active'::text, 'retired'::text])))
);

CREATE TABLE identity.users (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  email text NOT NULL,
  name text NOT NULL,
  password_hash text NOT NULL,
  roles text[] DEFAULT '{}'::text[] NOT NULL,
  warehouse_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
  status text DEFAULT 'active'::text NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  last_login_at timestamp with time zone,
  CONSTRAINT users_pkey PRIMARY KEY (id),
  CONSTRAINT users_roles_check CHECK ((roles <@ ARRAY['admin'::text, 'manager'::text, 'clerk'::text, 'partner'::text])),
  CONSTRAINT users_status_check CHECK ((status = ANY (ARRAY['active'::text, 'disabled'::text])))
);

CREATE TABLE integrations.connections (
  id uuid NOT NULL,
  kind text NOT NULL,
  source text NOT NULL,
  secret_sealed text NOT NULL,
  warehouse_id uuid NOT NULL,
  channel text NOT NULL,
  created_by uuid NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT connections_kind_check CHECK ((kind = ANY (ARRAY['shopify'::text, 'woocommerce'::text]))),
  CONSTRAINT connections_pkey PRIMARY KEY (id)
);

CREATE TABLE integrations.deliveries (
  connection_id uuid NOT NULL,
  delivery_id text NOT NULL,
  ingestion_id uuid NOT NULL,
  topic text NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamp with time zone DEFAULT now() NOT NULL,
  processed_at timestamp with time zone,
  skipped_reason text,
  CONSTRAINT deliveries_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES integrations.connections(id) ON DELETE CASCADE,
  CONSTRAINT deliveries_ingestion_id_fkey FOREIGN KEY (ingestion_id) REFERENCES integrations.ingestions(id) ON DELETE CASCADE,
  CONSTRAINT deliveries_pkey PRIMARY KEY (connection_id, delivery_id)
);

CREATE TABLE integrations.event_archive (
  id uuid NOT NULL,
  type text NOT NULL,
  warehouse_id uuid,
  data jsonb NOT NULL,
  request_id text,
  occurred_at timestamp with time zone NOT NULL,
  archived_at timestamp with time zone DEFAULT now() NOT NULL,
  archived_txid xid8 DEFAULT pg_current_xact_id(),
  CONSTRAINT event_archive_pkey PRIMARY KEY (id)
);

CREATE TABLE integrations.ingestions (
  id uuid NOT NULL,
  connection_id uuid NOT NULL,
  external_order_id text NOT NULL,
  external_number text,
  status text NOT NULL,
  reason text,
  order_id uuid,
  last_topic text NOT NULL,
  source_updated_at timestamp with time zone,
  cancelled_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT ingestions_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES integrations.connections(id) ON DELETE CASCADE,
  CONSTRAINT ingestions_pkey PRIMARY KEY (id),
  CONSTRAINT ingestions_status_check CHECK ((status = ANY (ARRAY['received'::text, 'done'::text, 'needs_attention'::text])))
);

CREATE TABLE inventory.consumptions (
  operation_id uuid NOT NULL,
  result jsonb NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT consumptions_pkey PRIMARY KEY (operation_id)
);

CREATE TABLE inventory.level_feed (
  seq bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  warehouse_id uuid NOT NULL,
  sku text NOT NULL,
  on_hand integer NOT NULL,
  reserved integer NOT NULL,
  version bigint NOT NULL,
  from_version bigint NOT NULL,
  written_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT level_feed_pkey PRIMARY KEY (seq)
);

CREATE TABLE inventory.movements (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  warehouse_id uuid NOT NULL,
  sku text NOT NULL,
  type text NOT NULL,
  reason text NOT NULL,
  qty integer NOT NULL,
  on_hand_after integer NOT NULL,
  level_version bigint NOT NULL,
  reference_type text,
  reference_id text,
  note text,
  actor_id text,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT movements_pkey PRIMARY KEY (id),
  CONSTRAINT movements_qty_check CHECK ((qty <> 0)),
  CONSTRAINT movements_type_check CHECK ((type = ANY (ARRAY['receipt'::text, 'shipment'::text, 'adjustment'::text, 'transfer_out'::text, 'transfer_in'::text, 'count'::text]))),
  CONSTRAINT movements_warehouse_id_warehouses_id_fk FOREIGN KEY (warehouse_id) REFERENCES inventory.warehouses(id)
);

CREATE TABLE inventory.reservations (
  holder_type text NOT NULL,
  holder_id uuid NOT NULL,
  warehouse_id uuid NOT NULL,
  sku text NOT NULL,
  qty integer NOT NULL,
  expires_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT reservations_holder_check CHECK ((holder_type = ANY (ARRAY['order'::text, 'transfer'::text]))),
  CONSTRAINT reservations_holder_type_holder_id_warehouse_id_sku_pk PRIMARY KEY (holder_type, holder_id, warehouse_id, sku),
  CONSTRAINT reservations_qty_check CHECK ((qty > 0)),
  CONSTRAINT reservations_warehouse_id_warehouses_id_fk FOREIGN KEY (warehouse_id) REFERENCES inventory.warehouses(id)
);

CREATE TABLE inventory.stock_counts (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  warehouse_id uuid NOT NULL,
  lines jsonb NOT NULL,
  actor_id text,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT stock_counts_pkey PRIMARY KEY (id),
  CONSTRAINT stock_counts_warehouse_id_warehouses_id_fk FOREIGN KEY (warehouse_id) REFERENCES inventory.warehouses(id)
);

CREATE TABLE inventory.stock_levels (
  warehouse_id uuid NOT NULL,
  sku text NOT NULL,
  on_hand integer DEFAULT 0 NOT NULL,
  reserved integer DEFAULT 0 NOT NULL,
  reorder_point integer,
  reorder_qty integer,
  version bigint DEFAULT 1 NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  preferred_vendor_id uuid,
  low_since timestamp with time zone,
  CONSTRAINT stock_levels_reorder_check CHECK (((COALESCE(reorder_point, 0) >= 0) AND (COALESCE(reorder_qty, 1) > 0))),
  CONSTRAINT stock_levels_reserved_check CHECK (((0 <= reserved) AND (reserved <= on_hand))),
  CONSTRAINT stock_levels_warehouse_id_sku_pk PRIMARY KEY (warehouse_id, sku),
  CONSTRAINT stock_levels_warehouse_id_warehouses_id_fk FOREIGN KEY (warehouse_id) REFERENCES inventory.warehouses(id)
);

CREATE TABLE inventory.transfer_lines (
  transfer_id uuid NOT NULL,
  sku text NOT NULL,
  qty integer NOT NULL,
  received integer DEFAULT 0 NOT NULL,
  CONSTRAINT transfer_lines_qty_check CHECK (((qty > 0) AND (received >= 0) AND (received <= qty))),
  CONSTRAINT transfer_lines_transfer_id_sku_pk PRIMARY KEY (transfer_id, sku),
  CONSTRAINT transfer_lines_transfer_id_transfers_id_fk FOREIGN KEY (transfer_id) REFERENCES inventory.transfers(id)
);

CREATE TABLE inventory.transfers (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  from_warehouse_id uuid NOT NULL,
  to_warehouse_id uuid NOT NULL,
  status text NOT NULL,
  note text,
  actor_id text,
  version integer DEFAULT 1 NOT NULL,
  shipped_at timestamp with time zone,
  received_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  expires_at timestamp with time zone,
  cancel_reason text,
  CONSTRAINT transfers_cancel_reason_check CHECK (((cancel_reason IS NULL) OR (cancel_reason = ANY (ARRAY['requested'::text, 'expired'::text])))),
  CONSTRAINT transfers_distinct_check CHECK ((from_warehouse_id <> to_warehouse_id)),
  CONSTRAINT transfers_from_warehouse_id_warehouses_id_fk FOREIGN KEY (from_warehouse_id) REFERENCES inventory.warehouses(id),
  CONSTRAINT transfers_pkey PRIMARY KEY (id),
  CONSTRAINT transfers_status_check CHECK ((status = ANY (ARRAY['requested'::text, 'in_transit'::text, 'partially_received'::text, 'received'::text, 'cancelled'::text]))),
  CONSTRAINT transfers_to_warehouse_id_warehouses_id_fk FOREIGN KEY (to_warehouse_id) REFERENCES inventory.warehouses(id)
);

CREATE TABLE inventory.warehouses (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  timezone text DEFAULT 'UTC'::text NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT warehouses_code_check CHECK ((code ~ '^[A-Z0-9]{2,10}$'::text)),
  CONSTRAINT warehouses_pkey PRIMARY KEY (id)
);

CREATE TABLE orders.orders (
  id uuid NOT NULL,
  status text NOT NULL,
  warehouse_id uuid,
  warehouse_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
  allow_partial boolean DEFAULT false NOT NULL,
  allow_backorder boolean DEFAULT false NOT NULL,
  external_ref text,
  channel text,
  customer jsonb,
  lines jsonb NOT NULL,
  allocations jsonb NOT NULL,
  pending_shipment jsonb,
  created_by text NOT NULL,
  version integer DEFAULT 1 NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  allocation_scope uuid[],
  reservation_expires_at timestamp with time zone,
  cancel_reason text,
  owner_kind text,
  owner_id uuid,
  CONSTRAINT orders_owner_check CHECK ((((owner_kind IS NULL) = (owner_id IS NULL)) AND ((owner_kind IS NULL) OR (owner_kind = ANY (ARRAY['user'::text, 'api_key'::text]))))),
  CONSTRAINT orders_pkey PRIMARY KEY (id)
);

CREATE TABLE platform.event_outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  events json NOT NULL,
  written_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT event_outbox_pkey PRIMARY KEY (seq)
);

CREATE TABLE platform.idempotency_keys (
  caller_id text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer,
  response jsonb,
  locked_until timestamp with time zone NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  claim_token uuid,
  CONSTRAINT idempotency_keys_caller_id_key_pk PRIMARY KEY (caller_id, key)
);

CREATE TABLE platform.job_workers (
  worker_id text NOT NULL,
  host text NOT NULL,
  heartbeat_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT job_workers_pkey PRIMARY KEY (worker_id)
);

CREATE TABLE platform.room_event_feed (
  seq bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  warehouse_id uuid NOT NULL,
  event json NOT NULL,
  written_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT room_event_feed_pkey PRIMARY KEY (seq)
);

CREATE TABLE purchasing.purchase_order_lines (
  purchase_order_id uuid NOT NULL,
  sku text NOT NULL,
  qty integer NOT NULL,
  unit_cost integer,
  received integer DEFAULT 0 NOT NULL,
  CONSTRAINT purchase_order_lines_pk PRIMARY KEY (purchase_order_id, sku),
  CONSTRAINT purchase_order_lines_purchase_order_id_fkey FOREIGN KEY (purchase_order_id) REFERENCES purchasing.purchase_orders(id),
  CONSTRAINT purchase_order_lines_qty_check CHECK (((qty > 0) AND (received >= 0) AND (COALESCE(unit_cost, 0) >= 0)))
);

CREATE TABLE purchasing.purchase_orders (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  vendor_id uuid NOT NULL,
  warehouse_id uuid NOT NULL,
  status text NOT NULL,
  currency text NOT NULL,
  receive_tolerance_pct integer DEFAULT 0 NOT NULL,
  expected_at timestamp with time zone,
  origin text DEFAULT 'manual'::text NOT NULL,
  note text,
  actor_id text,
  version integer DEFAULT 1 NOT NULL,
  submitted_at timestamp with time zone,
  closed_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT purchase_orders_origin_check CHECK ((origin = ANY (ARRAY['manual'::text, 'replenishment'::text]))),
  CONSTRAINT purchase_orders_pkey PRIMARY KEY (id),
  CONSTRAINT purchase_orders_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'submitted'::text, 'partially_received'::text, 'received'::text, 'closed'::text, 'cancelled'::text]))),
  CONSTRAINT purchase_orders_tolerance_check CHECK (((receive_tolerance_pct >= 0) AND (receive_tolerance_pct <= 100))),
  CONSTRAINT purchase_orders_vendor_id_fkey FOREIGN KEY (vendor_id) REFERENCES purchasing.vendors(id)
);

CREATE TABLE purchasing.receipts (
  id uuid NOT NULL,
  purchase_order_id uuid NOT NULL,
  lines jsonb NOT NULL,
  actor_id text,
  request_id text,
  applied_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT receipts_pkey PRIMARY KEY (id),
  CONSTRAINT receipts_purchase_order_id_fkey FOREIGN KEY (purchase_order_id) REFERENCES purchasing.purchase_orders(id)
);

CREATE TABLE purchasing.supplier_items (
  vendor_id uuid NOT NULL,
  sku text NOT NULL,
  vendor_sku text,
  unit_cost integer,
  min_order_qty integer DEFAULT 1 NOT NULL,
  pack_size integer DEFAULT 1 NOT NULL,
  lead_time_days integer,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT supplier_items_pk PRIMARY KEY (vendor_id, sku),
  CONSTRAINT supplier_items_terms_check CHECK (((min_order_qty >= 1) AND (pack_size >= 1) AND (COALESCE(unit_cost, 0) >= 0) AND (COALESCE(lead_time_days, 0) >= 0))),
  CONSTRAINT supplier_items_vendor_id_fkey FOREIGN KEY (vendor_id) REFERENCES purchasing.vendors(id)
);

CREATE TABLE purchasing.vendors (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  name text NOT NULL,
  email text,
  lead_time_days integer DEFAULT 7 NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  currency text DEFAULT 'EUR'::text NOT NULL,
  active boolean DEFAULT true NOT NULL,
  version integer DEFAULT 1 NOT NULL,
  CONSTRAINT vendors_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
  CONSTRAINT vendors_lead_time_check CHECK ((lead_time_days >= 0)),
  CONSTRAINT vendors_pkey PRIMARY KEY (id)
);

CREATE TABLE webhooks.deliveries (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  subscription_id uuid NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  occurred_at timestamp with time zone NOT NULL,
  status text DEFAULT 'pending'::text NOT NULL,
  attempts integer DEFAULT 0 NOT NULL,
  next_attempt_at timestamp with time zone,
  last_attempt_at timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT deliveries_pkey PRIMARY KEY (id),
  CONSTRAINT deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'succeeded'::text, 'failed'::text]))),
  CONSTRAINT deliveries_subscription_id_fkey FOREIGN KEY (subscription_id) REFERENCES webhooks.subscriptions(id) ON DELETE CASCADE
);

CREATE TABLE webhooks.delivery_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  delivery_id uuid NOT NULL,
  attempt integer NOT NULL,
  url text NOT NULL,
  status_code integer,
  duration_ms integer NOT NULL,
  response_body text,
  error text,
  at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT delivery_attempts_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES webhooks.deliveries(id) ON DELETE CASCADE,
  CONSTRAINT delivery_attempts_pkey PRIMARY KEY (id)
);

CREATE TABLE webhooks.subscriptions (
  id uuid DEFAULT gen_random_uuid() NOT NULL,
  url text NOT NULL,
  events text[] NOT NULL,
  description text,
  enabled boolean DEFAULT true NOT NULL,
  disabled_reason text,
  owner_kind text NOT NULL,
  owner_id uuid NOT NULL,
  secret_sealed text NOT NULL,
  previous_secret_sealed text,
  secret_rotated_at timestamp with time zone,
  failing_since timestamp with time zone,
  paused_until timestamp with time zone,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT subscriptions_owner_kind_check CHECK ((owner_kind = ANY (ARRAY['user'::text, 'api_key'::text]))),
  CONSTRAINT subscriptions_pkey PRIMARY KEY (id)
);

-- indexes

CREATE INDEX daily_facts_day_idx ON analytics.daily_facts USING btree (warehouse_id, day);

CREATE INDEX stockouts_level_idx ON analytics.stockouts USING btree (warehouse_id, sku, start_movement_id);

CREATE INDEX stockouts_started_idx ON analytics.stockouts USING btree (warehouse_id, started_at);

CREATE INDEX entries_actor_idx ON audit.entries USING btree (actor_id, id);

CREATE INDEX entries_at_idx ON audit.entries USING btree (at, id);

CREATE INDEX entries_chain_order_idx ON audit.entries USING btree (txid, id);

CREATE INDEX entries_entity_idx ON audit.entries USING btree (entity_type, entity_id, id);

CREATE INDEX entries_warehouses_idx ON audit.entries USING gin (warehouse_ids);

CREATE INDEX products_active_sku_idx ON catalog.products USING btree (lower(sku)) WHERE (NOT archived);

CREATE UNIQUE INDEX products_barcode_key ON catalog.products USING btree (barcode_key) WHERE (barcode_key IS NOT NULL);

CREATE INDEX products_category_sku_idx ON catalog.products USING btree (lower(category), lower(sku));

CREATE INDEX products_name_trgm_idx ON catalog.products USING gin (lower(name) gin_trgm_ops);

CREATE UNIQUE INDEX products_sku_lower_key ON catalog.products USING btree (lower(sku));

CREATE INDEX products_sku_trgm_idx ON catalog.products USING gin (lower(sku) gin_trgm_ops);

CREATE UNIQUE INDEX api_keys_prefix_key ON identity.api_keys USING btree (prefix);

CREATE INDEX refresh_tokens_family_idx ON identity.refresh_tokens USING btree (family_id);

CREATE UNIQUE INDEX refresh_tokens_hash_key ON identity.refresh_tokens USING btree (token_hash);

CREATE INDEX refresh_tokens_user_idx ON identity.refresh_tokens USING btree (user_id);

CREATE UNIQUE INDEX signing_keys_one_active ON identity.signing_keys USING btree (status) WHERE (status = 'active'::text);

CREATE UNIQUE INDEX users_email_lower_key ON identity.users USING btree (lower(email));

CREATE UNIQUE INDEX connections_channel_key ON integrations.connections USING btree (channel);

CREATE UNIQUE INDEX connections_kind_source_key ON integrations.connections USING btree (kind, source);

CREATE INDEX deliveries_ingestion_idx ON integrations.deliveries USING btree (ingestion_id);

CREATE INDEX event_archive_copy_order_idx ON integrations.event_archive USING btree (COALESCE(archived_txid, '0'::xid8), id);

CREATE INDEX event_archive_occurred_at_idx ON integrations.event_archive USING btree (occurred_at);

CREATE INDEX event_archive_type_idx ON integrations.event_archive USING btree (type);

CREATE UNIQUE INDEX ingestions_connection_order_key ON integrations.ingestions USING btree (connection_id, external_order_id);

CREATE INDEX ingestions_created_idx ON integrations.ingestions USING btree (created_at, id);

CREATE INDEX ingestions_status_idx ON integrations.ingestions USING btree (status, created_at, id);

CREATE INDEX movements_level_idx ON inventory.movements USING btree (warehouse_id, sku, id);

CREATE INDEX movements_level_time_idx ON inventory.movements USING btree (warehouse_id, sku, created_at);

CREATE INDEX movements_reference_idx ON inventory.movements USING btree (reference_type, reference_id);

CREATE INDEX movements_warehouse_idx ON inventory.movements USING btree (warehouse_id, id);

CREATE INDEX reservations_expiry_idx ON inventory.reservations USING btree (expires_at) WHERE (expires_at IS NOT NULL);

CREATE INDEX reservations_level_idx ON inventory.reservations USING btree (warehouse_id, sku);

CREATE INDEX stock_levels_sku_idx ON inventory.stock_levels USING btree (lower(sku));

CREATE INDEX transfers_expiry_idx ON inventory.transfers USING btree (expires_at) WHERE (status = 'requested'::text);

CREATE INDEX transfers_status_idx ON inventory.transfers USING btree (status, created_at);

CREATE INDEX transfers_to_idx ON inventory.transfers USING btree (to_warehouse_id, status);

CREATE UNIQUE INDEX warehouses_code_key ON inventory.warehouses USING btree (code);

CREATE INDEX orders_created_idx ON orders.orders USING btree (created_at, id);

CREATE UNIQUE INDEX orders_owner_external_ref_key ON orders.orders USING btree (COALESCE(owner_kind, ''::text), COALESCE(owner_id, '00000000-0000-0000-0000-000000000000'::uuid), COALESCE(channel, ''::text), external_ref) WHERE (external_ref IS NOT NULL);

CREATE INDEX orders_owner_idx ON orders.orders USING btree (owner_kind, owner_id, created_at, id);

CREATE INDEX orders_owner_pending_idx ON orders.orders USING btree (owner_kind, owner_id) WHERE (status = 'pending'::text);

CREATE INDEX orders_reservation_expiry_idx ON orders.orders USING btree (reservation_expires_at) WHERE ((status = 'pending'::text) AND (reservation_expires_at IS NOT NULL));

CREATE INDEX orders_status_idx ON orders.orders USING btree (status, created_at, id);

CREATE INDEX orders_warehouses_idx ON orders.orders USING gin (warehouse_ids);

CREATE INDEX purchase_order_lines_sku_idx ON purchasing.purchase_order_lines USING btree (sku);

CREATE INDEX purchase_orders_created_idx ON purchasing.purchase_orders USING btree (created_at, id);

CREATE INDEX purchase_orders_open_idx ON purchasing.purchase_orders USING btree (warehouse_id, status);

CREATE INDEX receipts_pending_idx ON purchasing.receipts USING btree (purchase_order_id) WHERE (applied_at IS NULL);

CREATE INDEX supplier_items_sku_idx ON purchasing.supplier_items USING btree (lower(sku));

CREATE INDEX deliveries_created_at_idx ON webhooks.deliveries USING btree (created_at) WHERE (status <> 'pending'::text);

CREATE INDEX deliveries_due_idx ON webhooks.deliveries USING btree (subscription_id, next_attempt_at, id) WHERE (status = 'pending'::text);

CREATE UNIQUE INDEX deliveries_event_subscription_idx ON webhooks.deliveries USING btree (event_id, subscription_id);

CREATE INDEX deliveries_subscription_idx ON webhooks.deliveries USING btree (subscription_id, created_at, id);

CREATE INDEX delivery_attempts_delivery_idx ON webhooks.delivery_attempts USING btree (delivery_id, id);

CREATE INDEX subscriptions_events_idx ON webhooks.subscriptions USING gin (events) WHERE enabled;

CREATE INDEX subscriptions_owner_idx ON webhooks.subscriptions USING btree (owner_kind, owner_id);

-- functions

CREATE OR REPLACE FUNCTION audit.capture()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION audit.capture_movement()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION audit.context_for(p_entity_id text)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
  v_set text := current_setting('varastokkr.audit', true);
  v_ctx jsonb;
  v_lines bytea;
  v_key bytea;
  v_from int;
  v_end int;
BEGIN
  IF v_set IS NULL OR v_set = '' THEN RETURN '{}'::jsonb; END IF;
  IF left(v_set, 1) = '{' THEN
    v_ctx := v_set::jsonb;
    RETURN coalesce(v_ctx->'entities'->p_entity_id, v_ctx);
  END IF;
  v_lines := convert_to(v_set, 'UTF8');
  v_key := convert_to(E'\n' || to_json(p_entity_id)::text || E'\t', 'UTF8');
  v_from := position(v_key IN v_lines);
  IF v_from = 0 THEN RETURN '{}'::jsonb; END IF;
  v_lines := substring(v_lines FROM v_from + length(v_key));
  v_end := position('\x0a'::bytea IN v_lines);
  IF v_end > 0 THEN v_lines := substring(v_lines FOR v_end - 1); END IF;
  RETURN convert_from(v_lines, 'UTF8')::jsonb;
END $function$;

CREATE OR REPLACE FUNCTION audit.may_hold_secret(p jsonb)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT p::text ~* '(passw|secret|token|hash|private|sealed|cipher|credential|key|kek)'
$function$;

CREATE OR REPLACE FUNCTION audit.redact(p jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION audit.redact_changes(p jsonb)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT coalesce(jsonb_object_agg(k, jsonb_build_object(
    'before', audit.redact(jsonb_build_object(k, v->'before'))->k,
    'after', audit.redact(jsonb_build_object(k, v->'after'))->k)), '{}')
  FROM jsonb_each(p) AS x(k, v)
$function$;

CREATE OR REPLACE FUNCTION audit.refuse_rewrite()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  RAISE EXCEPTION '%.% is append-only (% refused)', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $function$;

CREATE OR REPLACE FUNCTION catalog.notify_product_refs()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM pg_notify('catalog_product_refs', '');
  RETURN NULL;
END
$function$;

CREATE OR REPLACE FUNCTION inventory.consume_stock(p_op jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION inventory.hold_stock(p_ops jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION inventory.move_stock(p_op jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
AS $function$
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
END $function$;

CREATE OR REPLACE FUNCTION inventory.publish_stock_changes(p_warehouse_ids uuid[], p_skus text[], p_request_id text)
 RETURNS void
 LANGUAGE sql
 SET enable_seqscan TO 'off'
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
AS $function$
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
$function$;

CREATE OR REPLACE FUNCTION inventory.refuse_ledger_rewrite()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  RAISE EXCEPTION 'inventory.movements is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $function$;

CREATE OR REPLACE FUNCTION platform.add_events(p_events json)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF coalesce(json_array_length(p_events), 0) = 0 THEN RETURN; END IF;
  INSERT INTO platform.event_outbox (events) VALUES (p_events);
  PERFORM pg_notify('platform_event_outbox', '');
END $function$;

CREATE OR REPLACE FUNCTION platform.archive_moved_events(p_events json, p_event_types text[])
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
DECLARE
  v_uuid CONSTANT text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  v_events jsonb;
BEGIN
  BEGIN
    v_events := p_events::jsonb;
    -- domainEventSchema's shape; a missing key makes its test null: coalesce counts that as misshapen.
    IF EXISTS (
      SELECT 1 FROM jsonb_array_elements(v_events) e
       WHERE NOT coalesce(
               jsonb_typeof(e->'id') = 'string' AND e->>'id' ~* v_uuid
           AND jsonb_typeof(e->'type') = 'string' AND e->>'type' = ANY (p_event_types)
           AND jsonb_typeof(e->'occurredAt') = 'string'
           AND e->>'occurredAt' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$'
           AND (jsonb_typeof(e->'warehouseId') = 'null'
                OR (jsonb_typeof(e->'warehouseId') = 'string' AND e->>'warehouseId' ~* v_uuid))
           AND jsonb_typeof(e->'data') = 'object'
           AND jsonb_typeof(e->'requestId') IN ('null', 'string'), false)
    ) THEN
      RETURN false;
    END IF;
    INSERT INTO integrations.event_archive (id, type, warehouse_id, data, request_id, occurred_at)
    SELECT (e->>'id')::uuid, e->>'type', (e->>'warehouseId')::uuid, e->'data',
           e->>'requestId', (e->>'occurredAt')::timestamptz
      FROM jsonb_array_elements(v_events) e
    ON CONFLICT (id) DO NOTHING;
  EXCEPTION WHEN data_exception THEN
    -- A date that is no date, text or a number jsonb cannot hold: the job's way, event by event.
    RETURN false;
  END;
  RETURN true;
END $function$;

CREATE OR REPLACE FUNCTION platform.json_decodes(p_value json)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM p_value->>'id'; -- reading one field decodes every string of the text
  RETURN true;
EXCEPTION WHEN data_exception THEN
  RETURN false;
END $function$;

CREATE OR REPLACE FUNCTION platform.move_waiting_events(p_rows integer, p_events integer, p_room_types text)
 RETURNS TABLE(moved integer, more boolean)
 LANGUAGE plpgsql
AS $function$
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
  IF v_events IS NOT NULL THEN
    PERFORM graphile_worker.add_jobs(ARRAY[(
      'publish-event', v_events, NULL, NULL, NULL, NULL, NULL, NULL
    )::graphile_worker.job_spec]);
  END IF;
  IF v_fed > 0 THEN PERFORM pg_notify('inventory_level_feed', ''); END IF;
  -- More: rows left behind by the limits, or added since. Rows another mover holds count too
  -- (without locking anything here, which would hide a row from it): one needless move at worst.
  v_more := EXISTS (SELECT 1 FROM platform.event_outbox);
  RETURN QUERY SELECT v_rows, v_more;
END $function$;

CREATE OR REPLACE FUNCTION platform.move_waiting_events(p_rows integer, p_events integer, p_room_types text, p_event_types text[])
 RETURNS TABLE(moved integer, more boolean)
 LANGUAGE plpgsql
AS $function$
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
  ), fields AS (
    -- Each event's top-level fields in one pass over its text (a json operator parses the whole
    -- event again for every field it reads). They stay json, decoded only where tested, as the
    -- operators did. An event that is not an object has none, and neither has one whose text
    -- holds an escape Postgres cannot decode (a NUL, a UTF-16 surrogate): reading any field of it
    -- raised, and stopped every move after it. Such an event is not fed; the job publishes it.
    SELECT m.seq, m.n, f.*
      FROM moved m
      LEFT JOIN LATERAL json_to_record(CASE
             WHEN json_typeof(m.value) = 'object'
              AND (strpos(m.value::text, '\u') = 0 OR platform.json_decodes(m.value))
             THEN m.value END)
           AS f(id json, type json, "occurredAt" json, "warehouseId" json, data json) ON true
  ), fed AS (
    INSERT INTO platform.room_event_feed (warehouse_id, event)
    SELECT ("warehouseId" #>> '{}')::uuid,
           json_build_object('id', id, 'type', type, 'occurredAt', "occurredAt", 'data', data)
      FROM fields
     WHERE json_typeof(type) = 'string' AND type #>> '{}' ~ p_room_types
       AND json_typeof("warehouseId") = 'string'
       AND "warehouseId" #>> '{}' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
       AND json_typeof(id) = 'string' AND length(id #>> '{}') BETWEEN 1 AND 100
       AND json_typeof("occurredAt") = 'string' AND length("occurredAt" #>> '{}') <= 40
       AND json_typeof(data) = 'object'
     ORDER BY seq, n
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM taken), json_agg(value ORDER BY seq, n), (SELECT count(*) FROM fed),
         -- More wait when the move took as many rows as it may, or left some for the events' cap.
         (SELECT count(*) FROM candidates) = p_rows
           OR (SELECT count(*) FROM picked) < (SELECT count(*) FROM candidates)
    INTO v_rows, v_events, v_fed, v_more
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
  RETURN QUERY SELECT v_rows, coalesce(v_more, false);
END $function$;

-- triggers

CREATE TRIGGER chain_append_only BEFORE DELETE OR UPDATE ON audit.chain FOR EACH ROW EXECUTE FUNCTION audit.refuse_rewrite();

CREATE TRIGGER chain_no_truncate BEFORE TRUNCATE ON audit.chain FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_rewrite();

CREATE TRIGGER entries_append_only BEFORE DELETE OR UPDATE ON audit.entries FOR EACH ROW EXECUTE FUNCTION audit.refuse_rewrite();

CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON audit.entries FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_rewrite();

CREATE TRIGGER products_audit AFTER INSERT OR DELETE OR UPDATE ON catalog.products FOR EACH ROW EXECUTE FUNCTION audit.capture('product', '');

CREATE TRIGGER products_notify_refs AFTER DELETE OR UPDATE OF sku, archived, price_amount, price_currency OR TRUNCATE ON catalog.products FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_product_refs();

CREATE TRIGGER api_keys_audit AFTER INSERT OR DELETE OR UPDATE ON identity.api_keys FOR EACH ROW EXECUTE FUNCTION audit.capture('api_key', 'warehouse_ids');

CREATE TRIGGER users_audit AFTER INSERT OR DELETE OR UPDATE ON identity.users FOR EACH ROW EXECUTE FUNCTION audit.capture('user', 'warehouse_ids');

CREATE TRIGGER connections_audit AFTER INSERT OR DELETE OR UPDATE ON integrations.connections FOR EACH ROW EXECUTE FUNCTION audit.capture('shop_connection', 'warehouse_id');

CREATE TRIGGER movements_append_only BEFORE DELETE OR UPDATE ON inventory.movements FOR EACH ROW EXECUTE FUNCTION inventory.refuse_ledger_rewrite();

CREATE TRIGGER movements_audit AFTER INSERT ON inventory.movements FOR EACH ROW WHEN ((new.type = ANY (ARRAY['adjustment'::text, 'count'::text, 'receipt'::text]))) EXECUTE FUNCTION audit.capture_movement();

CREATE TRIGGER movements_no_truncate BEFORE TRUNCATE ON inventory.movements FOR EACH STATEMENT EXECUTE FUNCTION inventory.refuse_ledger_rewrite();

CREATE TRIGGER transfers_audit AFTER INSERT OR DELETE OR UPDATE ON inventory.transfers FOR EACH ROW EXECUTE FUNCTION audit.capture('transfer', 'from_warehouse_id,to_warehouse_id');

CREATE TRIGGER warehouses_audit AFTER INSERT OR DELETE OR UPDATE ON inventory.warehouses FOR EACH ROW EXECUTE FUNCTION audit.capture('warehouse', 'id');

CREATE TRIGGER orders_audit AFTER INSERT OR DELETE OR UPDATE ON orders.orders FOR EACH ROW EXECUTE FUNCTION audit.capture('order', 'warehouse_ids');

CREATE TRIGGER purchase_orders_audit AFTER INSERT OR DELETE OR UPDATE ON purchasing.purchase_orders FOR EACH ROW EXECUTE FUNCTION audit.capture('purchase_order', 'warehouse_id');

CREATE TRIGGER vendors_audit AFTER INSERT OR DELETE OR UPDATE ON purchasing.vendors FOR EACH ROW EXECUTE FUNCTION audit.capture('vendor', '');

CREATE TRIGGER subscriptions_audit AFTER INSERT OR DELETE OR UPDATE ON webhooks.subscriptions FOR EACH ROW EXECUTE FUNCTION audit.capture('webhook_subscription', '');

-- grants

GRANT SELECT (code) ON inventory.warehouses TO varastokkr_edge;

GRANT SELECT (expected_at) ON purchasing.purchase_orders TO varastokkr_edge;

GRANT SELECT (id) ON inventory.warehouses TO varastokkr_edge;

GRANT SELECT (id) ON purchasing.purchase_orders TO varastokkr_edge;

GRANT SELECT (on_hand) ON inventory.stock_levels TO varastokkr_edge;

GRANT SELECT (purchase_order_id) ON purchasing.purchase_order_lines TO varastokkr_edge;

GRANT SELECT (qty) ON purchasing.purchase_order_lines TO varastokkr_edge;

GRANT SELECT (received) ON purchasing.purchase_order_lines TO varastokkr_edge;

GRANT SELECT (reserved) ON inventory.stock_levels TO varastokkr_edge;

GRANT SELECT (sku) ON inventory.stock_levels TO varastokkr_edge;

GRANT SELECT (sku) ON purchasing.purchase_order_lines TO varastokkr_edge;

GRANT SELECT (status) ON purchasing.purchase_orders TO varastokkr_edge;

GRANT SELECT (version) ON inventory.stock_levels TO varastokkr_edge;

GRANT SELECT (version) ON purchasing.purchase_orders TO varastokkr_edge;

GRANT SELECT (warehouse_id) ON inventory.stock_levels TO varastokkr_edge;

GRANT SELECT (warehouse_id) ON purchasing.purchase_orders TO varastokkr_edge;

GRANT SELECT ON catalog.products TO varastokkr_edge;

GRANT USAGE ON SCHEMA catalog TO varastokkr_edge;

GRANT USAGE ON SCHEMA inventory TO varastokkr_edge;

GRANT USAGE ON SCHEMA public TO PUBLIC;

GRANT USAGE ON SCHEMA purchasing TO varastokkr_edge;
