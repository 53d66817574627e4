CREATE SCHEMA "catalog";
--> statement-breakpoint
CREATE SCHEMA "identity";
--> statement-breakpoint
CREATE SCHEMA "integrations";
--> statement-breakpoint
CREATE SCHEMA "inventory";
--> statement-breakpoint
CREATE SCHEMA "orders";
--> statement-breakpoint
CREATE SCHEMA "purchasing";
--> statement-breakpoint
CREATE TABLE "catalog"."products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sku" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"barcode" text,
	"category" text,
	"unit" text DEFAULT 'each' NOT NULL,
	"price_amount" integer,
	"price_currency" text,
	"cost_amount" integer,
	"cost_currency" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"archived" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_price_check" CHECK ("catalog"."products"."price_amount" is null or "catalog"."products"."price_amount" >= 0),
	CONSTRAINT "products_cost_check" CHECK ("catalog"."products"."cost_amount" is null or "catalog"."products"."cost_amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "identity"."users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"warehouse_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_status_check" CHECK ("identity"."users"."status" in ('active', 'disabled'))
);
--> statement-breakpoint
CREATE TABLE "integrations"."event_archive" (
	"id" uuid PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"warehouse_id" uuid,
	"data" jsonb NOT NULL,
	"request_id" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"archived_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inventory"."warehouses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "warehouses_code_check" CHECK ("inventory"."warehouses"."code" ~ '^[A-Z0-9]{2,10}$')
);
--> statement-breakpoint
CREATE TABLE "purchasing"."vendors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"lead_time_days" integer DEFAULT 7 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vendors_lead_time_check" CHECK ("purchasing"."vendors"."lead_time_days" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "products_sku_lower_key" ON "catalog"."products" USING btree (lower("sku"));--> statement-breakpoint
CREATE UNIQUE INDEX "products_barcode_key" ON "catalog"."products" USING btree ("barcode") WHERE "catalog"."products"."barcode" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_key" ON "identity"."users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "event_archive_occurred_at_idx" ON "integrations"."event_archive" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "event_archive_type_idx" ON "integrations"."event_archive" USING btree ("type");--> statement-breakpoint
CREATE UNIQUE INDEX "warehouses_code_key" ON "inventory"."warehouses" USING btree ("code");