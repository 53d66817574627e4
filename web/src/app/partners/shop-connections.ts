/** A shop connection as the integrations form makes it: plain functions, tested with bun:test. */
import type { components } from '@varastokkr/client';

type CreateConnection = components['schemas']['CreateConnection'];
export type ShopKind = CreateConnection['kind'];

export const shopKinds: readonly { kind: ShopKind; label: string; source: string; example: string }[] = [
  { kind: 'shopify', label: 'Shopify', source: 'Shop domain', example: 'acme.myshopify.com' },
  { kind: 'woocommerce', label: 'WooCommerce', source: 'Site URL', example: 'https://shop.example.com/' },
];

/** The API's body from the form's fields: the shop's address goes in the field its kind names. */
export function connectionBody(kind: ShopKind, fields: { get(name: string): unknown }): CreateConnection {
  const text = (name: string) => String(fields.get(name) ?? '').trim();
  const common = { secret: text('secret'), warehouseId: text('warehouseId'), channel: text('channel') };
  return kind === 'shopify'
    ? { kind, shopDomain: text('source'), ...common }
    : { kind, siteUrl: text('source'), ...common };
}

/** The form's field for the shop's address carries the API's name for it, so its error lands there. */
export const sourceField = (kind: ShopKind): 'shopDomain' | 'siteUrl' =>
  kind === 'shopify' ? 'shopDomain' : 'siteUrl';
