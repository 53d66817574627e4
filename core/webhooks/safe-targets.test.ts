/**
 * Safe targets: the address classifier on its own, and the refusal through a real delivery
 * attempt (a subscription and a delivery in a real database, attemptDelivery with production's
 * setting) against a real local receiver that must see nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { useTestDatabase } from '../../test/harness/database.ts';
import {
  adminKeyOwner,
  subscriptionWithDeliveries,
  type WebhookReceiver,
  webhookReceiver,
} from '../../test/harness/webhook-receiver.ts';
import type { Principal } from '../identity/policy.ts';
import { configSchema } from '../platform/config.ts';
import { parseEnv } from '../platform/env.ts';
import { attemptDelivery } from './delivery-attempts.ts';
import { webhookSettingsFrom } from './settings.ts';
import { deliveryAttempts } from './tables.ts';
import { checkTarget, isNonPublicAddress, refusedWhenSubscribed } from './target-address.ts';

describe('isNonPublicAddress', () => {
  test.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    'not an address',
  ])('%s is refused', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  test.each([
    '8.8.8.8',
    '93.184.215.14',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
});

describe('checkTarget', () => {
  test('production refuses plain http, private literals and names resolving to loopback', async () => {
    expect(await checkTarget('http://8.8.8.8/hook', false)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('scheme'),
    });
    expect(await checkTarget('https://169.254.169.254/latest', false)).toMatchObject({ ok: false });
    expect(await checkTarget('https://[::1]:8443/x', false)).toMatchObject({ ok: false });
    expect(await checkTarget('https://localhost/x', false)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('non-public address'),
    });
    expect(await checkTarget('ftp://example.com/x', true)).toMatchObject({ ok: false });
  });

  test('a public literal passes and is pinned; development allows local receivers', async () => {
    expect(await checkTarget('https://8.8.8.8/hook', false)).toMatchObject({
      ok: true,
      pinned: { address: '8.8.8.8', family: 4 },
    });
    expect(await checkTarget('http://127.0.0.1:9400/hook', true)).toMatchObject({ ok: true });
  });
});

describe('refusedWhenSubscribed', () => {
  test('production refuses http, localhost and non-public literals at once; names wait for the send', () => {
    expect(refusedWhenSubscribed('http://partner.example/hook', false)).toBe('Only https URLs are allowed.');
    expect(refusedWhenSubscribed('https://localhost:8443/hook', false)).toBe(
      'localhost is not a public address.',
    );
    expect(refusedWhenSubscribed('https://[::ffff:10.0.0.1]/hook', false)).toContain(
      'is not a public address',
    );
    expect(refusedWhenSubscribed('https://169.254.169.254/latest', false)).toContain(
      'is not a public address',
    );
    expect(refusedWhenSubscribed('https://partner.example/hook', false)).toBeUndefined();
    expect(refusedWhenSubscribed('https://8.8.8.8/hook', false)).toBeUndefined();
    expect(refusedWhenSubscribed('http://127.0.0.1:9400/hook', true)).toBeUndefined();
  });
});

describe('a delivery attempt to a private address in production', () => {
  const database = useTestDatabase('webhook_targets');
  let receiver: WebhookReceiver;
  let owner: Principal;

  beforeAll(async () => {
    receiver = await webhookReceiver({ answer: 200 });
    receiver.up();
    owner = await adminKeyOwner(database().db);
  });
  afterAll(() => receiver.stop());

  const defaults = () => webhookSettingsFrom(parseEnv(configSchema, {}));

  const oneDelivery = async (url: string) => {
    const { deliveries } = await subscriptionWithDeliveries(database().db, owner, {
      url,
      type: 'product.created',
      skus: [`T-${crypto.randomUUID().slice(0, 6)}`],
    });
    expect(deliveries).toHaveLength(1);
    return deliveries[0]!.id;
  };

  test('is refused after resolution and recorded, and nothing reaches the receiver', async () => {
    const db = database().db;
    const production = { ...defaults(), allowPrivateUrls: false };
    const https = receiver.url.replace('http:', 'https:');
    const cases: [string, RegExp][] = [
      [receiver.url, /refused scheme http:/],
      // A name is resolved at send time: localhost resolves to loopback.
      [https.replace('127.0.0.1', 'localhost'), /localhost resolves to the non-public address/],
      [https, /non-public address 127\.0\.0\.1/],
    ];
    for (const [url, refusal] of cases) {
      const id = await oneDelivery(url);
      const { result } = await attemptDelivery(db, id, production);
      expect(result).toBe('retrying');
      const [attempt] = await db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, id));
      expect(attempt?.error).toMatch(refusal);
      expect(attempt?.statusCode).toBeNull();
    }
    expect(receiver.received).toHaveLength(0);
  });

  test('the same attempt with local receivers allowed (development) arrives', async () => {
    const db = database().db;
    const id = await oneDelivery(receiver.url);
    expect((await attemptDelivery(db, id, { ...defaults(), allowPrivateUrls: true })).result).toBe(
      'delivered',
    );
    expect(receiver.received).toHaveLength(1);
  });
});
