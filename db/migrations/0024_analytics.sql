-- Analytics (core/analytics): daily facts rolled up from the inventory ledger and the orders'
-- prices by the rollup-analytics job, so KPIs over a year of 10,000 skus read these rows and
-- not the ledger. Every row is recomputed whole from the ledger for its key, so re-running the
-- job changes nothing, and a late or replayed movement lands in its own day.
CREATE SCHEMA "analytics";
--> statement-breakpoint
-- One row per (warehouse, sku, day with movements); day is the warehouse's local date.
CREATE TABLE "analytics"."daily_facts" (
	"warehouse_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"day" date NOT NULL,
	"units_sold" integer DEFAULT 0 NOT NULL,
	"units_received" integer DEFAULT 0 NOT NULL,
	"units_transferred_in" integer DEFAULT 0 NOT NULL,
	"units_transferred_out" integer DEFAULT 0 NOT NULL,
	"units_adjusted" integer DEFAULT 0 NOT NULL,
	"movements" integer DEFAULT 0 NOT NULL,
	"on_hand_end" integer NOT NULL,
	CONSTRAINT "daily_facts_pkey" PRIMARY KEY ("warehouse_id", "sku", "day")
);
--> statement-breakpoint
CREATE INDEX "daily_facts_day_idx" ON "analytics"."daily_facts" USING btree ("warehouse_id", "day");
--> statement-breakpoint
-- Revenue of the day's order shipments, per currency of the order lines' prices (never summed across).
CREATE TABLE "analytics"."daily_revenue" (
	"warehouse_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"day" date NOT NULL,
	"currency" text NOT NULL,
	"units" integer NOT NULL,
	"amount" bigint NOT NULL,
	-- Day before sku: one index finds a level-day's rows and a warehouse-day's alike.
	CONSTRAINT "daily_revenue_pkey" PRIMARY KEY ("warehouse_id", "day", "sku", "currency")
);
--> statement-breakpoint
-- One row per (warehouse, day with movements): the day's facts added over its skus, so a year's
-- summary or sales series reads 365 rows per warehouse, not one per sku and day.
CREATE TABLE "analytics"."daily_totals" (
	"warehouse_id" uuid NOT NULL,
	"day" date NOT NULL,
	"units_sold" bigint NOT NULL,
	-- Receipts and transfers in.
	"units_in" bigint NOT NULL,
	-- Every movement of the day added up: on hand at a day's end is the sum up to it.
	"net_change" bigint NOT NULL,
	"movements" bigint NOT NULL,
	CONSTRAINT "daily_totals_pkey" PRIMARY KEY ("warehouse_id", "day")
);
--> statement-breakpoint
-- The day's revenue and cost of goods sold per currency (cost: the products' cost when the day
-- was rolled up). Currencies are never added together.
CREATE TABLE "analytics"."daily_money" (
	"warehouse_id" uuid NOT NULL,
	"day" date NOT NULL,
	"currency" text NOT NULL,
	"revenue" bigint NOT NULL,
	"cost_of_goods_sold" bigint NOT NULL,
	CONSTRAINT "daily_money_pkey" PRIMARY KEY ("warehouse_id", "day", "currency")
);
--> statement-breakpoint
-- A run of on hand = 0 of one level: from the movement that took it to 0 to the one that brought it back.
CREATE TABLE "analytics"."stockouts" (
	"start_movement_id" bigint PRIMARY KEY NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_movement_id" bigint
);
--> statement-breakpoint
CREATE INDEX "stockouts_level_idx" ON "analytics"."stockouts" USING btree ("warehouse_id", "sku", "start_movement_id");
--> statement-breakpoint
CREATE INDEX "stockouts_started_idx" ON "analytics"."stockouts" USING btree ("warehouse_id", "started_at");
--> statement-breakpoint
-- Where the rollup stands: every movement with id <= low_id is final and rolled up; those in
-- (low_id, high_id] were rolled up too, seen_count of them (more now: one committed late).
CREATE TABLE "analytics"."rollup_state" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"low_id" bigint DEFAULT 0 NOT NULL,
	"high_id" bigint DEFAULT 0 NOT NULL,
	"seen_count" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rollup_state_single_check" CHECK ("id" = 1)
);
--> statement-breakpoint
-- The highest movement id seen by each run, and when: once older than the settle time, no
-- transaction can still commit a movement below it, and low_id moves up to it.
CREATE TABLE "analytics"."rollup_marks" (
	"taken_at" timestamp with time zone PRIMARY KEY NOT NULL,
	"high_id" bigint NOT NULL
);
--> statement-breakpoint
-- A level's movements by time, for recomputing one level's day from the ledger (inventory's table).
CREATE INDEX "movements_level_time_idx" ON "inventory"."movements" USING btree ("warehouse_id", "sku", "created_at");
