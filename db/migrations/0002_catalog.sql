CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "catalog"."products_barcode_key";--> statement-breakpoint
ALTER TABLE "catalog"."products" ADD COLUMN "barcode_key" text GENERATED ALWAYS AS (case when barcode ~ '^([0-9]{8}|[0-9]{12,13})$' then lpad(barcode, 14, '0') else barcode end) STORED;--> statement-breakpoint
CREATE INDEX "products_active_sku_idx" ON "catalog"."products" USING btree (lower("sku")) WHERE not "catalog"."products"."archived";--> statement-breakpoint
CREATE INDEX "products_category_sku_idx" ON "catalog"."products" USING btree (lower("category"),lower("sku"));--> statement-breakpoint
CREATE INDEX "products_sku_trgm_idx" ON "catalog"."products" USING gin (lower("sku") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "products_name_trgm_idx" ON "catalog"."products" USING gin (lower("name") gin_trgm_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "products_barcode_key" ON "catalog"."products" USING btree ("barcode_key") WHERE "catalog"."products"."barcode_key" is not null;--> statement-breakpoint
ALTER TABLE "catalog"."products" ADD CONSTRAINT "products_money_check" CHECK (("catalog"."products"."price_amount" is null) = ("catalog"."products"."price_currency" is null)
      and ("catalog"."products"."cost_amount" is null) = ("catalog"."products"."cost_currency" is null));