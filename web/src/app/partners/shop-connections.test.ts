import { expect, test } from 'bun:test';
import { connectionBody, sourceField } from './shop-connections';

const form = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

test("the shop's address goes in the field its platform names, trimmed", () => {
  const fields = form({
    source: ' acme.myshopify.com ',
    secret: 's'.repeat(20),
    warehouseId: 'w1',
    channel: 'eu ',
  });
  expect(connectionBody('shopify', fields)).toEqual({
    kind: 'shopify',
    shopDomain: 'acme.myshopify.com',
    secret: 's'.repeat(20),
    warehouseId: 'w1',
    channel: 'eu',
  });
  expect(connectionBody('woocommerce', form({ source: 'https://shop.example.com/' }))).toEqual({
    kind: 'woocommerce',
    siteUrl: 'https://shop.example.com/',
    secret: '',
    warehouseId: '',
    channel: '',
  });
});

test("an error about the shop's address is shown beside the one field that holds it", () => {
  expect(sourceField('shopify')).toBe('shopDomain');
  expect(sourceField('woocommerce')).toBe('siteUrl');
});
