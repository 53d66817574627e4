-- Outbound webhooks (core/webhooks): partners' and admins' subscriptions, one delivery per
-- (event, subscription), and every attempt to send it. A delivery row is written by the event's
-- own publish-event job, with the job that sends it, so a delivery exists iff its event committed.
CREATE SCHEMA "webhooks";
--> statement-breakpoint
CREATE TABLE "webhooks"."subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"url" text NOT NULL,
	"events" text[] NOT NULL,
	"description" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	-- Who made it: the rules of who may read what are applied to this principal at delivery.
	"owner_kind" text NOT NULL,
	"owner_id" uuid NOT NULL,
	-- whsec_ secrets, sealed like the JWT signing keys (v1.<kek id>.<iv>.<ciphertext>).
	"secret_sealed" text NOT NULL,
	"previous_secret_sealed" text,
	"secret_rotated_at" timestamp with time zone,
	-- Set by the first failed attempt after a success; past the limit the subscription is disabled.
	"failing_since" timestamp with time zone,
	-- After a failed attempt, nothing more is sent to it until then (the circuit breaker): one
	-- probe per backoff step, not every waiting delivery taking its turn at a dead receiver.
	"paused_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscriptions_owner_kind_check" CHECK ("owner_kind" in ('user', 'api_key'))
);
--> statement-breakpoint
CREATE INDEX "subscriptions_owner_idx" ON "webhooks"."subscriptions" USING btree ("owner_kind", "owner_id");
--> statement-breakpoint
CREATE INDEX "subscriptions_events_idx" ON "webhooks"."subscriptions" USING gin ("events") WHERE "enabled";
--> statement-breakpoint
CREATE TABLE "webhooks"."deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscription_id" uuid NOT NULL REFERENCES "webhooks"."subscriptions"("id") ON DELETE CASCADE,
	"event_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	-- The body as sent, the same bytes on every attempt: { type, timestamp, data }.
	"payload" jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deliveries_status_check" CHECK ("status" in ('pending', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_event_subscription_idx" ON "webhooks"."deliveries" USING btree ("event_id", "subscription_id");
--> statement-breakpoint
CREATE INDEX "deliveries_subscription_idx" ON "webhooks"."deliveries" USING btree ("subscription_id", "created_at", "id");
--> statement-breakpoint
CREATE TABLE "webhooks"."delivery_attempts" (
	"id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	"delivery_id" uuid NOT NULL REFERENCES "webhooks"."deliveries"("id") ON DELETE CASCADE,
	"attempt" integer NOT NULL,
	"url" text NOT NULL,
	"status_code" integer,
	"duration_ms" integer NOT NULL,
	-- The first 1 KB of the answer.
	"response_body" text,
	"error" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "delivery_attempts_delivery_idx" ON "webhooks"."delivery_attempts" USING btree ("delivery_id", "id");
