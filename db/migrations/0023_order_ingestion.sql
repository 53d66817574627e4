-- Orders in from Shopify and WooCommerce (core/integrations/). A connection is one shop: its
-- webhook secret sealed under the signing-key KEK (as identity's private keys are), the warehouse
-- its orders are served from and the channel they carry. Every delivery the platform sends is
-- kept once (its delivery id is the key); every platform order is one ingestion row, unique per
-- (connection, platform order id), which holds the order made from it or why none could be.
CREATE TABLE integrations.connections (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('shopify', 'woocommerce')),
  -- The shop's domain (Shopify) or the site's URL (WooCommerce), as the platform sends it.
  source text NOT NULL,
  secret_sealed text NOT NULL,
  warehouse_id uuid NOT NULL,
  channel text NOT NULL,
  -- The admin who connected it: the orders made from its deliveries are theirs.
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE UNIQUE INDEX connections_kind_source_key ON integrations.connections (kind, source);
--> statement-breakpoint
-- Orders are unique per (owner, channel, externalRef) and externalRef is the platform's order id,
-- which two shops can share (WooCommerce counts 1, 2, 3...): one channel per shop keeps them apart.
CREATE UNIQUE INDEX connections_channel_key ON integrations.connections (channel);
--> statement-breakpoint
CREATE TABLE integrations.ingestions (
  id uuid PRIMARY KEY,
  connection_id uuid NOT NULL REFERENCES integrations.connections (id) ON DELETE CASCADE,
  external_order_id text NOT NULL,
  -- What the shop calls the order (#1001), for people.
  external_number text,
  status text NOT NULL CHECK (status IN ('received', 'done', 'needs_attention')),
  reason text,
  order_id uuid,
  last_topic text NOT NULL,
  -- The platform's modification time of the newest delivery applied (Shopify updated_at,
  -- WooCommerce date_modified_gmt): an older one arriving late is skipped.
  source_updated_at timestamptz,
  -- When the shop's cancellation was processed: no later delivery places an order for it again.
  cancelled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
-- One order per platform order however often, or however concurrently, it is delivered.
CREATE UNIQUE INDEX ingestions_connection_order_key ON integrations.ingestions (connection_id, external_order_id);
--> statement-breakpoint
CREATE INDEX ingestions_status_idx ON integrations.ingestions (status, created_at, id);
--> statement-breakpoint
CREATE INDEX ingestions_created_idx ON integrations.ingestions (created_at, id);
--> statement-breakpoint
CREATE TABLE integrations.deliveries (
  connection_id uuid NOT NULL REFERENCES integrations.connections (id) ON DELETE CASCADE,
  -- X-Shopify-Webhook-Id or X-WC-Webhook-Delivery-ID: a redelivery is not processed again.
  delivery_id text NOT NULL,
  ingestion_id uuid NOT NULL REFERENCES integrations.ingestions (id) ON DELETE CASCADE,
  topic text NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  -- Why a processed delivery was not applied (older than what was, or the order was cancelled).
  skipped_reason text,
  PRIMARY KEY (connection_id, delivery_id)
);
--> statement-breakpoint
CREATE INDEX deliveries_ingestion_idx ON integrations.deliveries (ingestion_id);
