-- Who created an API key: a user or another API key (an admin key creating keys used to fail
-- the foreign key to users with a 500). At most one of the two is set; neither for the seed.
ALTER TABLE "identity"."api_keys" RENAME COLUMN "created_by" TO "created_by_user_id";--> statement-breakpoint
ALTER TABLE "identity"."api_keys" RENAME CONSTRAINT "api_keys_created_by_users_id_fk" TO "api_keys_created_by_user_id_users_id_fk";--> statement-breakpoint
ALTER TABLE "identity"."api_keys" ADD COLUMN "created_by_key_id" uuid;--> statement-breakpoint
ALTER TABLE "identity"."api_keys" ADD CONSTRAINT "api_keys_created_by_key_id_api_keys_id_fk" FOREIGN KEY ("created_by_key_id") REFERENCES "identity"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity"."api_keys" ADD CONSTRAINT "api_keys_one_creator_check" CHECK (num_nonnulls("created_by_user_id", "created_by_key_id") <= 1);--> statement-breakpoint
-- A rotated refresh token keeps its successor, encrypted under a key derived from the rotated
-- token itself, so that a replay within the grace period gets the same successor back (never a
-- sibling). Only someone holding the old token can open it; it is cleared once the grace is over.
ALTER TABLE "identity"."refresh_tokens" ADD COLUMN "successor_sealed" text;--> statement-breakpoint
-- Private signing keys are stored encrypted (AES-256-GCM under SIGNING_KEY_ENCRYPTION_KEY).
-- The database cannot encrypt: rows still in plaintext are encrypted, and their private_jwk
-- emptied, by the first core or jobs process that starts with this version.
ALTER TABLE "identity"."signing_keys" ADD COLUMN "private_key_sealed" text;--> statement-breakpoint
ALTER TABLE "identity"."signing_keys" ALTER COLUMN "private_jwk" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "identity"."signing_keys" ADD CONSTRAINT "signing_keys_private_key_check" CHECK ("private_jwk" IS NOT NULL OR "private_key_sealed" IS NOT NULL);--> statement-breakpoint
-- Sign-in throttling: attempts are counted before the password is checked; the account-wide row
-- also spaces attempts out (progressive delay) and says whether it admitted the last attempt.
ALTER TABLE "identity"."login_throttle" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "identity"."login_throttle" ADD COLUMN "last_admitted" boolean;
