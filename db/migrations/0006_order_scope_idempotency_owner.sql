DROP INDEX "orders"."orders_external_ref_key";--> statement-breakpoint
ALTER TABLE "orders"."orders" ADD COLUMN "allocation_scope" uuid[];--> statement-breakpoint
ALTER TABLE "platform"."idempotency_keys" ADD COLUMN "claim_token" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "orders_channel_external_ref_key" ON "orders"."orders" USING btree (coalesce("channel", ''),"external_ref") WHERE "orders"."orders"."external_ref" is not null;