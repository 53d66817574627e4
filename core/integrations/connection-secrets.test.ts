/** Connection secrets at rest: sealed under the KEK, bound to their row, and moved on KEK rotation. */
import { expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { testAuthSettings } from '../../test/harness/core.ts';
import { useTestDatabase } from '../../test/harness/database.ts';
import { kekId } from '../identity/signing-key-sealing.ts';
import { openConnectionSecret, resealConnectionSecrets, sealConnectionSecret } from './connection-secrets.ts';
import { connections } from './tables.ts';

const database = useTestDatabase('connection-secrets');
const newKek = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
const withKek = (current: string, previous?: string) =>
  testAuthSettings({ signingKeyEncryption: { current, previous } });

test('a sealed secret opens only for its own row and under a configured KEK', async () => {
  const settings = withKek(newKek());
  const id = crypto.randomUUID();
  const sealed = await sealConnectionSecret(settings, id, 'the-shop-secret');
  expect(sealed).not.toContain('the-shop-secret');
  expect(await openConnectionSecret(settings, id, sealed)).toBe('the-shop-secret');
  expect(await openConnectionSecret(settings, crypto.randomUUID(), sealed)).toBeUndefined();
  expect(await openConnectionSecret(withKek(newKek()), id, sealed)).toBeUndefined();
});

test('after a KEK rotation every secret is re-sealed under the new KEK and the old one can go', async () => {
  const [oldKek, currentKek] = [newKek(), newKek()];
  const id = crypto.randomUUID();
  await database()
    .db.insert(connections)
    .values({
      id,
      kind: 'shopify',
      source: `${id}.myshopify.com`,
      secretSealed: await sealConnectionSecret(withKek(oldKek), id, 'the-shop-secret'),
      warehouseId: crypto.randomUUID(),
      channel: 'c',
      createdBy: crypto.randomUUID(),
    });
  expect(await resealConnectionSecrets(database().db, withKek(currentKek, oldKek))).toBe(1);
  const [row] = await database().db.select().from(connections).where(eq(connections.id, id));
  expect(row!.secretSealed).toStartWith(`v1.${kekId(currentKek)}.`);
  expect(await openConnectionSecret(withKek(currentKek), id, row!.secretSealed)).toBe('the-shop-secret');
  // Done once: nothing is left to move.
  expect(await resealConnectionSecrets(database().db, withKek(currentKek, oldKek))).toBe(0);
});
