/**
 * Webhook signing secrets: `whsec_` and the base64 of 32 random bytes, shown once, kept sealed
 * (AES-256-GCM) under the key-encryption keys of the JWT signing keys, bound to their
 * subscription (additional data), as `v1.<kek id>.<iv>.<ciphertext>`. A KEK rotation
 * (SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS) keeps opening secrets sealed under the previous key.
 */
import { createHmac } from 'node:crypto';
import { and, eq, isNotNull, notLike, or } from 'drizzle-orm';
import { currentSealPrefix, openSecret, resealSecret, sealSecret } from '../identity/secret-sealing.ts';
import type { AuthSettings } from '../identity/settings.ts';
import type { Database } from '../platform/database.ts';
import { subscriptions } from './tables.ts';

const PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return `${PREFIX}${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;
}

type KeyEncryption = AuthSettings['signingKeyEncryption'];

const boundTo = (subscriptionId: string) => `varastokkr webhook secret ${subscriptionId}`;

export function sealWebhookSecret(
  keyEncryption: KeyEncryption,
  subscriptionId: string,
  secret: string,
): Promise<string> {
  return sealSecret({ signingKeyEncryption: keyEncryption }, boundTo(subscriptionId), secret);
}

/** The secret, or an error naming what to fix (a KEK that no longer matches). */
export async function openWebhookSecret(
  keyEncryption: KeyEncryption,
  subscriptionId: string,
  sealed: string,
): Promise<string> {
  const plain = await openSecret({ signingKeyEncryption: keyEncryption }, boundTo(subscriptionId), sealed);
  if (plain === undefined)
    throw new Error(
      `The secret of webhook subscription ${subscriptionId} cannot be opened with SIGNING_KEY_ENCRYPTION_KEY (or _PREVIOUS).`,
    );
  return plain;
}

/**
 * After a KEK rotation (the new one current, the old one previous), seals every subscription's
 * secret, and the previous one still signing in its grace period, under the current KEK, so the
 * previous KEK can be dropped. Run hourly by the rotate-signing-keys job, beside the signing keys
 * and the shop connections. Returns how many subscriptions changed; one whose secret no
 * configured KEK opens is left as it is (its deliveries fail naming the variable).
 */
export async function resealWebhookSecrets(db: Database, keyEncryption: KeyEncryption): Promise<number> {
  const current = `${await currentSealPrefix({ signingKeyEncryption: keyEncryption })}%`;
  const stale = await db
    .select({
      id: subscriptions.id,
      secretSealed: subscriptions.secretSealed,
      previousSecretSealed: subscriptions.previousSecretSealed,
    })
    .from(subscriptions)
    .where(
      or(
        notLike(subscriptions.secretSealed, current),
        and(
          isNotNull(subscriptions.previousSecretSealed),
          notLike(subscriptions.previousSecretSealed, current),
        ),
      ),
    );
  let changed = 0;
  for (const row of stale) {
    const reseal = (sealed: string) =>
      resealSecret({ signingKeyEncryption: keyEncryption }, boundTo(row.id), sealed);
    const resealed = await db
      .update(subscriptions)
      .set({
        secretSealed: await reseal(row.secretSealed),
        previousSecretSealed: row.previousSecretSealed && (await reseal(row.previousSecretSealed)),
      })
      // Only if no one rotated or resealed it meanwhile.
      .where(and(eq(subscriptions.id, row.id), eq(subscriptions.secretSealed, row.secretSealed)))
      .returning({ id: subscriptions.id });
    changed += resealed.length;
  }
  return changed;
}

/**
 * The webhook-signature header of Standard Webhooks: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`
 * per secret (keyed with the base64-decoded part after `whsec_`), space-separated.
 */
export function webhookSignature(
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: string,
): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
      const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
      return `v1,${mac}`;
    })
    .join(' ');
}
