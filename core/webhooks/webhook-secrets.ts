/**
 * Webhook signing secrets: `whsec_` and the base64 of 32 random bytes, shown once, kept sealed
 * (AES-256-GCM) under the key-encryption keys of the JWT signing keys, bound to their
 * subscription (additional data), as `v1.<kek id>.<iv>.<ciphertext>`. A KEK rotation
 * (SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS) keeps opening secrets sealed under the previous key.
 */
import { createHmac } from 'node:crypto';
import { seal, unseal } from '../identity/sealing.ts';
import type { AuthSettings } from '../identity/settings.ts';
import { keks } from '../identity/signing-key-sealing.ts';

const PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return `${PREFIX}${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;
}

type KeyEncryption = AuthSettings['signingKeyEncryption'];

const aad = (subscriptionId: string) => `varastokkr webhook secret ${subscriptionId}`;

export async function sealWebhookSecret(
  keyEncryption: KeyEncryption,
  subscriptionId: string,
  secret: string,
): Promise<string> {
  const { current } = await keks({ signingKeyEncryption: keyEncryption });
  return `v1.${current.id}.${await seal(current.key, secret, aad(subscriptionId))}`;
}

/** The secret, or an error naming what to fix (a KEK that no longer matches). */
export async function openWebhookSecret(
  keyEncryption: KeyEncryption,
  subscriptionId: string,
  sealed: string,
): Promise<string> {
  const k = await keks({ signingKeyEncryption: keyEncryption });
  const [version, id, iv, ct] = sealed.split('.');
  const under = [k.current, k.previous].find((candidate) => candidate?.id === id);
  const plain =
    version === 'v1' && under && iv && ct
      ? await unseal(under.key, `${iv}.${ct}`, aad(subscriptionId))
      : undefined;
  if (plain === undefined)
    throw new Error(
      `The secret of webhook subscription ${subscriptionId} cannot be opened with SIGNING_KEY_ENCRYPTION_KEY (or _PREVIOUS).`,
    );
  return plain;
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
