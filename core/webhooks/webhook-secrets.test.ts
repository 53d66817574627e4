/** Webhook signing secrets at rest: bound to their subscription, and moved on a KEK rotation. */
import { expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { testAuthSettings } from '../../test/harness/core.ts';
import { useTestDatabase } from '../../test/harness/database.ts';
import { kekId } from '../identity/signing-key-sealing.ts';
import { subscriptions } from './tables.ts';
import { openWebhookSecret, resealWebhookSecrets, sealWebhookSecret } from './webhook-secrets.ts';

const database = useTestDatabase('webhook-secrets');
const newKek = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
const keyEncryption = (current: string, previous?: string) =>
  testAuthSettings({ signingKeyEncryption: { current, previous } }).signingKeyEncryption;

test('a sealed secret opens only for its own subscription, and a foreign KEK is named', async () => {
  const under = keyEncryption(newKek());
  const id = crypto.randomUUID();
  const sealed = await sealWebhookSecret(under, id, 'whsec_c2VjcmV0');
  expect(sealed).not.toContain('c2VjcmV0');
  expect(await openWebhookSecret(under, id, sealed)).toBe('whsec_c2VjcmV0');
  await expect(openWebhookSecret(under, crypto.randomUUID(), sealed)).rejects.toThrow(
    'SIGNING_KEY_ENCRYPTION_KEY',
  );
  await expect(openWebhookSecret(keyEncryption(newKek()), id, sealed)).rejects.toThrow(
    'SIGNING_KEY_ENCRYPTION_KEY',
  );
});

test('after a KEK rotation the secret and the one still in its grace period move to the new KEK', async () => {
  const [oldKek, currentKek] = [newKek(), newKek()];
  const id = crypto.randomUUID();
  const old = keyEncryption(oldKek);
  await database()
    .db.insert(subscriptions)
    .values({
      id,
      url: 'https://partner.example/hooks',
      events: ['*'],
      ownerKind: 'user',
      ownerId: crypto.randomUUID(),
      secretSealed: await sealWebhookSecret(old, id, 'whsec_bmV3'),
      previousSecretSealed: await sealWebhookSecret(old, id, 'whsec_b2xk'),
    });
  const rotating = keyEncryption(currentKek, oldKek);
  expect(await resealWebhookSecrets(database().db, rotating)).toBe(1);
  const [row] = await database().db.select().from(subscriptions).where(eq(subscriptions.id, id));
  expect(row!.secretSealed).toStartWith(`v1.${kekId(currentKek)}.`);
  expect(row!.previousSecretSealed).toStartWith(`v1.${kekId(currentKek)}.`);
  // The previous KEK can go now.
  const after = keyEncryption(currentKek);
  expect(await openWebhookSecret(after, id, row!.secretSealed)).toBe('whsec_bmV3');
  expect(await openWebhookSecret(after, id, row!.previousSecretSealed!)).toBe('whsec_b2xk');
  expect(await resealWebhookSecrets(database().db, rotating)).toBe(0);
});
