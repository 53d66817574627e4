-- The sender reads a subscription's due deliveries (core/webhooks/delivery-attempts.ts,
-- sendDueDeliveries) in the order they came due: only pending ones are indexed.
CREATE INDEX "deliveries_due_idx" ON "webhooks"."deliveries" USING btree ("subscription_id","next_attempt_at","id") WHERE "webhooks"."deliveries"."status" = 'pending';
