-- Orders get an owner: the user or API key that placed it. Existing orders take it from
-- created_by ('user:<id>' or 'api_key:<id>'); anything else stays null (legacy: staff only).
ALTER TABLE "orders"."orders" ADD COLUMN "owner_kind" text;--> statement-breakpoint
ALTER TABLE "orders"."orders" ADD COLUMN "owner_id" uuid;--> statement-breakpoint
UPDATE "orders"."orders" SET "owner_kind" = split_part("created_by", ':', 1), "owner_id" = split_part("created_by", ':', 2)::uuid
  WHERE "created_by" ~ '^(user|api_key):[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';--> statement-breakpoint
ALTER TABLE "orders"."orders" ADD CONSTRAINT "orders_owner_check" CHECK (("orders"."orders"."owner_kind" is null) = ("orders"."orders"."owner_id" is null) and ("orders"."orders"."owner_kind" is null or "orders"."orders"."owner_kind" in ('user', 'api_key')));--> statement-breakpoint
-- externalRef is unique per owner and channel, not globally: one partner can no longer claim
-- another's references or learn that they exist. Legacy orders (no owner) share one namespace.
DROP INDEX "orders"."orders_channel_external_ref_key";--> statement-breakpoint
CREATE UNIQUE INDEX "orders_owner_external_ref_key" ON "orders"."orders" USING btree (coalesce("owner_kind", ''),coalesce("owner_id", '00000000-0000-0000-0000-000000000000'::uuid),coalesce("channel", ''),"external_ref") WHERE "orders"."orders"."external_ref" is not null;--> statement-breakpoint
CREATE INDEX "orders_owner_idx" ON "orders"."orders" USING btree ("owner_kind","owner_id","created_at","id");--> statement-breakpoint
CREATE INDEX "orders_owner_pending_idx" ON "orders"."orders" USING btree ("owner_kind","owner_id") WHERE "orders"."orders"."status" = 'pending';--> statement-breakpoint
-- Requested transfers expire: the stock they hold is released if they are never shipped.
-- Those requested today get a week from the migration.
ALTER TABLE "inventory"."transfers" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "inventory"."transfers" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
UPDATE "inventory"."transfers" SET "expires_at" = now() + interval '7 days' WHERE "status" = 'requested';--> statement-breakpoint
ALTER TABLE "inventory"."transfers" ADD CONSTRAINT "transfers_cancel_reason_check" CHECK ("inventory"."transfers"."cancel_reason" is null or "inventory"."transfers"."cancel_reason" in ('requested', 'expired'));--> statement-breakpoint
CREATE INDEX "transfers_expiry_idx" ON "inventory"."transfers" USING btree ("expires_at") WHERE "inventory"."transfers"."status" = 'requested';
