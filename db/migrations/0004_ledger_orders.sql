CREATE SCHEMA "platform";
--> statement-breakpoint
CREATE TABLE "inventory"."consumptions" (
	"operation_id" uuid PRIMARY KEY NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inventory"."movements" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "inventory"."movements_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"warehouse_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"type" text NOT NULL,
	"reason" text NOT NULL,
	"qty" integer NOT NULL,
	"on_hand_after" integer NOT NULL,
	"level_version" bigint NOT NULL,
	"reference_type" text,
	"reference_id" text,
	"note" text,
	"actor_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "movements_qty_check" CHECK ("inventory"."movements"."qty" <> 0),
	CONSTRAINT "movements_type_check" CHECK ("inventory"."movements"."type" in ('receipt', 'shipment', 'adjustment', 'transfer_out', 'transfer_in', 'count'))
);
--> statement-breakpoint
CREATE TABLE "inventory"."reservations" (
	"holder_type" text NOT NULL,
	"holder_id" uuid NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"qty" integer NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reservations_holder_type_holder_id_warehouse_id_sku_pk" PRIMARY KEY("holder_type","holder_id","warehouse_id","sku"),
	CONSTRAINT "reservations_qty_check" CHECK ("inventory"."reservations"."qty" > 0),
	CONSTRAINT "reservations_holder_check" CHECK ("inventory"."reservations"."holder_type" in ('order', 'transfer'))
);
--> statement-breakpoint
CREATE TABLE "inventory"."stock_counts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"lines" jsonb NOT NULL,
	"actor_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inventory"."transfer_lines" (
	"transfer_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"qty" integer NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "transfer_lines_transfer_id_sku_pk" PRIMARY KEY("transfer_id","sku"),
	CONSTRAINT "transfer_lines_qty_check" CHECK ("inventory"."transfer_lines"."qty" > 0 and "inventory"."transfer_lines"."received" >= 0 and "inventory"."transfer_lines"."received" <= "inventory"."transfer_lines"."qty")
);
--> statement-breakpoint
CREATE TABLE "inventory"."transfers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"from_warehouse_id" uuid NOT NULL,
	"to_warehouse_id" uuid NOT NULL,
	"status" text NOT NULL,
	"note" text,
	"actor_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"shipped_at" timestamp with time zone,
	"received_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transfers_distinct_check" CHECK ("inventory"."transfers"."from_warehouse_id" <> "inventory"."transfers"."to_warehouse_id"),
	CONSTRAINT "transfers_status_check" CHECK ("inventory"."transfers"."status" in ('requested', 'in_transit', 'partially_received', 'received', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "orders"."orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"warehouse_id" uuid,
	"warehouse_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"allow_partial" boolean DEFAULT false NOT NULL,
	"allow_backorder" boolean DEFAULT false NOT NULL,
	"external_ref" text,
	"channel" text,
	"customer" jsonb,
	"lines" jsonb NOT NULL,
	"allocations" jsonb NOT NULL,
	"pending_shipment" jsonb,
	"created_by" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platform"."idempotency_keys" (
	"caller_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" integer,
	"response" jsonb,
	"locked_until" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_caller_id_key_pk" PRIMARY KEY("caller_id","key")
);
--> statement-breakpoint
ALTER TABLE "inventory"."stock_levels" ADD COLUMN "preferred_vendor_id" uuid;--> statement-breakpoint
ALTER TABLE "inventory"."movements" ADD CONSTRAINT "movements_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "inventory"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory"."reservations" ADD CONSTRAINT "reservations_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "inventory"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory"."stock_counts" ADD CONSTRAINT "stock_counts_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "inventory"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory"."transfer_lines" ADD CONSTRAINT "transfer_lines_transfer_id_transfers_id_fk" FOREIGN KEY ("transfer_id") REFERENCES "inventory"."transfers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory"."transfers" ADD CONSTRAINT "transfers_from_warehouse_id_warehouses_id_fk" FOREIGN KEY ("from_warehouse_id") REFERENCES "inventory"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory"."transfers" ADD CONSTRAINT "transfers_to_warehouse_id_warehouses_id_fk" FOREIGN KEY ("to_warehouse_id") REFERENCES "inventory"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "movements_level_idx" ON "inventory"."movements" USING btree ("warehouse_id","sku","id");--> statement-breakpoint
CREATE INDEX "movements_warehouse_idx" ON "inventory"."movements" USING btree ("warehouse_id","id");--> statement-breakpoint
CREATE INDEX "movements_reference_idx" ON "inventory"."movements" USING btree ("reference_type","reference_id");--> statement-breakpoint
CREATE INDEX "reservations_level_idx" ON "inventory"."reservations" USING btree ("warehouse_id","sku");--> statement-breakpoint
CREATE INDEX "reservations_expiry_idx" ON "inventory"."reservations" USING btree ("expires_at") WHERE "inventory"."reservations"."expires_at" is not null;--> statement-breakpoint
CREATE INDEX "transfers_status_idx" ON "inventory"."transfers" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "transfers_to_idx" ON "inventory"."transfers" USING btree ("to_warehouse_id","status");--> statement-breakpoint
CREATE INDEX "orders_status_idx" ON "orders"."orders" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders"."orders" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "orders_warehouses_idx" ON "orders"."orders" USING gin ("warehouse_ids");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_external_ref_key" ON "orders"."orders" USING btree ("channel","external_ref") WHERE "orders"."orders"."external_ref" is not null;