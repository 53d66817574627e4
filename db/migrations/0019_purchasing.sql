-- Purchasing: vendors' terms, what each vendor sells, purchase orders and their receipts.
ALTER TABLE "purchasing"."vendors" ADD COLUMN "currency" text DEFAULT 'EUR' NOT NULL;--> statement-breakpoint
ALTER TABLE "purchasing"."vendors" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "purchasing"."vendors" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "purchasing"."vendors" ADD CONSTRAINT "vendors_currency_check" CHECK ("purchasing"."vendors"."currency" ~ '^[A-Z]{3}$');--> statement-breakpoint
CREATE TABLE "purchasing"."supplier_items" (
	"vendor_id" uuid NOT NULL REFERENCES "purchasing"."vendors"("id"),
	"sku" text NOT NULL,
	"vendor_sku" text,
	"unit_cost" integer,
	"min_order_qty" integer DEFAULT 1 NOT NULL,
	"pack_size" integer DEFAULT 1 NOT NULL,
	"lead_time_days" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "supplier_items_pk" PRIMARY KEY ("vendor_id", "sku"),
	CONSTRAINT "supplier_items_terms_check" CHECK ("min_order_qty" >= 1 AND "pack_size" >= 1 AND coalesce("unit_cost", 0) >= 0 AND coalesce("lead_time_days", 0) >= 0)
);--> statement-breakpoint
CREATE INDEX "supplier_items_sku_idx" ON "purchasing"."supplier_items" USING btree (lower("sku"));--> statement-breakpoint
CREATE TABLE "purchasing"."purchase_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"vendor_id" uuid NOT NULL REFERENCES "purchasing"."vendors"("id"),
	"warehouse_id" uuid NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"receive_tolerance_pct" integer DEFAULT 0 NOT NULL,
	"expected_at" timestamp with time zone,
	"origin" text DEFAULT 'manual' NOT NULL,
	"note" text,
	"actor_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"submitted_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "purchase_orders_status_check" CHECK ("status" in ('draft', 'submitted', 'partially_received', 'received', 'closed', 'cancelled')),
	CONSTRAINT "purchase_orders_origin_check" CHECK ("origin" in ('manual', 'replenishment')),
	CONSTRAINT "purchase_orders_tolerance_check" CHECK ("receive_tolerance_pct" between 0 and 100)
);--> statement-breakpoint
CREATE INDEX "purchase_orders_open_idx" ON "purchasing"."purchase_orders" USING btree ("warehouse_id", "status");--> statement-breakpoint
CREATE INDEX "purchase_orders_created_idx" ON "purchasing"."purchase_orders" USING btree ("created_at", "id");--> statement-breakpoint
CREATE TABLE "purchasing"."purchase_order_lines" (
	"purchase_order_id" uuid NOT NULL REFERENCES "purchasing"."purchase_orders"("id"),
	"sku" text NOT NULL,
	"qty" integer NOT NULL,
	"unit_cost" integer,
	"received" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "purchase_order_lines_pk" PRIMARY KEY ("purchase_order_id", "sku"),
	CONSTRAINT "purchase_order_lines_qty_check" CHECK ("qty" > 0 AND "received" >= 0 AND coalesce("unit_cost", 0) >= 0)
);--> statement-breakpoint
CREATE INDEX "purchase_order_lines_sku_idx" ON "purchasing"."purchase_order_lines" USING btree ("sku");--> statement-breakpoint
CREATE TABLE "purchasing"."receipts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"purchase_order_id" uuid NOT NULL REFERENCES "purchasing"."purchase_orders"("id"),
	"lines" jsonb NOT NULL,
	"actor_id" text,
	"request_id" text,
	"applied_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE INDEX "receipts_pending_idx" ON "purchasing"."receipts" USING btree ("purchase_order_id") WHERE "applied_at" is null;
