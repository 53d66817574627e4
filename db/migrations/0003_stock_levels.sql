CREATE TABLE "inventory"."stock_levels" (
	"warehouse_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"on_hand" integer DEFAULT 0 NOT NULL,
	"reserved" integer DEFAULT 0 NOT NULL,
	"reorder_point" integer,
	"reorder_qty" integer,
	"version" bigint DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stock_levels_warehouse_id_sku_pk" PRIMARY KEY("warehouse_id","sku"),
	CONSTRAINT "stock_levels_reserved_check" CHECK (0 <= "inventory"."stock_levels"."reserved" and "inventory"."stock_levels"."reserved" <= "inventory"."stock_levels"."on_hand"),
	CONSTRAINT "stock_levels_reorder_check" CHECK (coalesce("inventory"."stock_levels"."reorder_point", 0) >= 0 and coalesce("inventory"."stock_levels"."reorder_qty", 1) > 0)
);
--> statement-breakpoint
ALTER TABLE "inventory"."stock_levels" ADD CONSTRAINT "stock_levels_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "inventory"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stock_levels_sku_idx" ON "inventory"."stock_levels" USING btree (lower("sku"));