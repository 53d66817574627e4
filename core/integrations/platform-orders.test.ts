/** The platforms' payloads read into one order shape, from the fixtures built on their documented fields. */
import { describe, expect, test } from 'bun:test';
import { createHmac } from 'node:crypto';
import shopifyFixture from './fixtures/shopify-order.json';
import wooFixture from './fixtures/woocommerce-order.json';
import { deliveryHeaders, parsePlatformOrder, signatureMatches } from './platform-orders.ts';

describe('Shopify', () => {
  test('an order: id, name, lines by sku with prices in minor units, the customer by name and email', () => {
    expect(parsePlatformOrder('shopify', 'orders/create', shopifyFixture)).toEqual({
      ok: true,
      order: {
        externalId: '5940139491234',
        number: '#1001',
        action: 'upsert',
        updatedAt: new Date('2026-01-15T09:30:00Z'),
        lines: [{ sku: 'HAM-16OZ', qty: 2, unitPrice: { amount: 1299, currency: 'EUR' } }],
        customer: { name: 'Matti Meikäläinen', email: 'matti@example.com' },
      },
    });
  });

  test('cancelled by its topic or by cancelled_at on an update; yen have no minor unit', () => {
    const cancelled = parsePlatformOrder('shopify', 'orders/cancelled', shopifyFixture);
    expect(cancelled.ok && cancelled.order.action).toBe('cancel');
    const updated = parsePlatformOrder('shopify', 'orders/updated', {
      ...shopifyFixture,
      cancelled_at: '2026-01-15T12:00:00+02:00',
    });
    expect(updated.ok && updated.order.action).toBe('cancel');
    const yen = parsePlatformOrder('shopify', 'orders/create', {
      ...shopifyFixture,
      currency: 'JPY',
      line_items: [{ sku: 'X', quantity: 1, price: '1500.00' }],
    });
    expect(yen.ok && yen.order.lines[0]?.unitPrice).toEqual({ amount: 1500, currency: 'JPY' });
  });

  test('a payload that is not an order says why', () => {
    const parsed = parsePlatformOrder('shopify', 'orders/create', {
      id: 1,
      line_items: [{ quantity: 'two' }],
    });
    expect(parsed.ok).toBe(false);
  });

  test('the delivery headers: all four are needed; the shop domain is case-insensitive', () => {
    const headers = new Headers({
      'x-shopify-shop-domain': 'Acme.myshopify.com',
      'x-shopify-webhook-id': 'w-1',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': 'c2ln',
    });
    expect(deliveryHeaders('shopify', headers)).toMatchObject({
      source: 'acme.myshopify.com',
      deliveryId: 'w-1',
    });
    headers.delete('x-shopify-webhook-id');
    expect(deliveryHeaders('shopify', headers)).toBeUndefined();
  });
});

describe('WooCommerce', () => {
  test('an order: id, number, lines by sku; cancelled, refunded and failed statuses end it', () => {
    expect(parsePlatformOrder('woocommerce', 'order.created', wooFixture)).toEqual({
      ok: true,
      order: {
        externalId: '727',
        number: '727',
        action: 'upsert',
        // date_modified_gmt is UTC without an offset; date_modified (local time) is not read.
        updatedAt: new Date('2026-01-15T09:30:00Z'),
        lines: [{ sku: 'HAM-16OZ', qty: 2, unitPrice: { amount: 1299, currency: 'EUR' } }],
        customer: { name: 'Matti Meikäläinen', email: 'matti@example.com' },
      },
    });
    for (const status of ['cancelled', 'refunded', 'failed']) {
      const parsed = parsePlatformOrder('woocommerce', 'order.updated', { ...wooFixture, status });
      expect(parsed.ok && parsed.order.action).toBe('cancel');
    }
  });

  test('an unreadable or missing modification time is null (such a delivery is never skipped as old)', () => {
    const parsed = parsePlatformOrder('woocommerce', 'order.updated', {
      ...wooFixture,
      date_modified_gmt: 'yesterday',
    });
    expect(parsed.ok && parsed.order.updatedAt).toBeNull();
    const shopify = parsePlatformOrder('shopify', 'orders/updated', { ...shopifyFixture, updated_at: null });
    expect(shopify.ok && shopify.order.updatedAt).toBeNull();
  });

  test('order.deleted carries only the id, and cancels', () => {
    expect(parsePlatformOrder('woocommerce', 'order.deleted', { id: 727 })).toMatchObject({
      ok: true,
      order: { externalId: '727', action: 'cancel', lines: [] },
    });
  });

  test('the source is the site URL, without a trailing slash or case', () => {
    const headers = new Headers({
      'x-wc-webhook-source': 'https://Shop.example.com/',
      'x-wc-webhook-delivery-id': 'd-1',
      'x-wc-webhook-topic': 'order.created',
      'x-wc-webhook-signature': 'c2ln',
    });
    expect(deliveryHeaders('woocommerce', headers)?.source).toBe('https://shop.example.com');
  });
});

test('signatures: the base64 HMAC-SHA256 of the exact bytes, under the exact secret', () => {
  const body = new TextEncoder().encode('{"id": 1, "name": "Mäkinen"}');
  const good = createHmac('sha256', 'secret').update(body).digest('base64');
  expect(signatureMatches(body, 'secret', good)).toBe(true);
  expect(signatureMatches(body, 'other', good)).toBe(false);
  expect(signatureMatches(new TextEncoder().encode('{"id":1,"name":"Mäkinen"}'), 'secret', good)).toBe(false);
  expect(signatureMatches(body, 'secret', 'not base64 at all')).toBe(false);
  expect(signatureMatches(body, 'secret', '')).toBe(false);
});
