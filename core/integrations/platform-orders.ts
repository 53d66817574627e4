/**
 * What Shopify and WooCommerce send, read into one shape: the HMAC each signs its body with, the
 * headers that say which shop, which delivery and which topic, and an order's id, number and
 * lines by sku. Only the documented fields are read; the rest of a payload is kept as received.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Money } from '../orders/order-model.ts';
import { sameSecret } from '../platform/secret-compare.ts';
import type { ConnectionKind } from './tables.ts';

/** What a delivery asks for: the order as it is now, or its end. */
export type IngestAction = 'upsert' | 'cancel';

export interface PlatformDelivery {
  kind: ConnectionKind;
  /** The shop domain or site URL that picks the connection. */
  source: string;
  deliveryId: string;
  topic: string;
  signature: string;
}

export interface PlatformOrder {
  externalId: string;
  number: string | null;
  action: IngestAction;
  /**
   * When the platform last changed the order (Shopify updated_at, WooCommerce date_modified_gmt):
   * deliveries arrive out of order, and one older than the change applied is skipped.
   */
  updatedAt: Date | null;
  lines: { sku: string | null; qty: number; unitPrice: Money | null }[];
  /** Who ordered, as far as the order needs it: a name and an email (not the whole profile). */
  customer: { name?: string; email?: string } | null;
}

export const shopifyTopics = ['orders/create', 'orders/updated', 'orders/cancelled'] as const;
export const wooTopics = ['order.created', 'order.updated', 'order.deleted'] as const;

/** base64 HMAC-SHA256 of the raw body, compared in constant time. */
export function signatureMatches(rawBody: Uint8Array, secret: string, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return sameSecret(expected, Buffer.from(signature, 'base64'));
}

/** A site URL as WooCommerce sends it in X-WC-Webhook-Source and as connections store it. */
export const normalizeSiteUrl = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();
export const normalizeShopDomain = (domain: string) => domain.trim().toLowerCase();

/** The delivery headers, or undefined when any is missing (the receiver answers 401). */
export function deliveryHeaders(kind: ConnectionKind, headers: Headers): PlatformDelivery | undefined {
  const h = (name: string) => headers.get(name) ?? undefined;
  const parts =
    kind === 'shopify'
      ? {
          source: h('x-shopify-shop-domain'),
          deliveryId: h('x-shopify-webhook-id'),
          topic: h('x-shopify-topic'),
          signature: h('x-shopify-hmac-sha256'),
        }
      : {
          source: h('x-wc-webhook-source'),
          deliveryId: h('x-wc-webhook-delivery-id'),
          topic: h('x-wc-webhook-topic'),
          signature: h('x-wc-webhook-signature'),
        };
  const { source, deliveryId, topic, signature } = parts;
  if (!source || !deliveryId || !topic || !signature) return undefined;
  const normalized = kind === 'shopify' ? normalizeShopDomain(source) : normalizeSiteUrl(source);
  return { kind, source: normalized, deliveryId, topic, signature };
}

/** The id a payload names (orders/cancelled and order.deleted carry at least this). */
const idSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,30}$/)]);
const priceSchema = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).nullish();
const lineSchema = z.object({
  sku: z.string().nullish(),
  quantity: z.number().int().min(0),
  price: priceSchema,
});

const shopifyOrderSchema = z.object({
  id: idSchema,
  name: z.string().nullish(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .nullish(),
  cancelled_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  line_items: z.array(lineSchema).default([]),
  customer: z
    .object({
      first_name: z.string().nullish(),
      last_name: z.string().nullish(),
      email: z.string().nullish(),
    })
    .nullish(),
  email: z.string().nullish(),
});

const wooOrderSchema = z.object({
  id: idSchema,
  number: z.union([z.string(), z.number()]).nullish(),
  status: z.string().nullish(),
  date_modified_gmt: z.string().nullish(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .nullish(),
  line_items: z.array(lineSchema).default([]),
  billing: z
    .object({
      first_name: z.string().nullish(),
      last_name: z.string().nullish(),
      email: z.string().nullish(),
    })
    .nullish(),
});

/** WooCommerce statuses after which an order holds no stock. */
const wooEnded = new Set(['cancelled', 'refunded', 'failed', 'trash']);

/** Minor units of a decimal price in a currency (2 decimals for EUR, 0 for JPY). */
function toMoney(
  price: string | number | null | undefined,
  currency: string | null | undefined,
): Money | null {
  if (price === null || price === undefined || !currency) return null;
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits;
  const amount = Math.round(Number(price) * 10 ** (digits ?? 2));
  return Number.isSafeInteger(amount) && amount >= 0 ? { amount, currency } : null;
}

type Person = { first_name?: string | null; last_name?: string | null } | null | undefined;

function customerOf(person: Person, email: string | null | undefined): PlatformOrder['customer'] {
  const name = [person?.first_name, person?.last_name].filter(Boolean).join(' ');
  const customer = { ...(name ? { name } : {}), ...(email ? { email } : {}) };
  return Object.keys(customer).length > 0 ? customer : null;
}

/**
 * A platform timestamp as a Date, or null when absent or unreadable. WooCommerce's *_gmt fields
 * are UTC without an offset (2026-01-15T09:30:00); Shopify's carry one.
 */
function instant(value: string | null | undefined, utcWithoutOffset = false): Date | null {
  if (!value) return null;
  const iso = utcWithoutOffset && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export type ParsedOrder = { ok: true; order: PlatformOrder } | { ok: false; reason: string };

/** The order a delivery's payload describes, or why it cannot be read. */
export function parsePlatformOrder(kind: ConnectionKind, topic: string, payload: unknown): ParsedOrder {
  if (kind === 'shopify') {
    const parsed = shopifyOrderSchema.safeParse(payload);
    if (!parsed.success)
      return { ok: false, reason: `Not a Shopify order: ${parsed.error.issues[0]?.message}` };
    const o = parsed.data;
    const cancelled = topic === 'orders/cancelled' || Boolean(o.cancelled_at);
    return {
      ok: true,
      order: {
        externalId: String(o.id),
        number: o.name ?? null,
        action: cancelled ? 'cancel' : 'upsert',
        updatedAt: instant(o.updated_at),
        lines: o.line_items.map((l) => ({
          sku: l.sku ?? null,
          qty: l.quantity,
          unitPrice: toMoney(l.price, o.currency),
        })),
        customer: customerOf(o.customer, o.email),
      },
    };
  }
  if (topic === 'order.deleted') {
    const parsed = z.object({ id: idSchema }).safeParse(payload);
    if (!parsed.success) return { ok: false, reason: 'A deleted WooCommerce order without an id.' };
    return {
      ok: true,
      order: {
        externalId: String(parsed.data.id),
        number: null,
        action: 'cancel',
        updatedAt: null,
        lines: [],
        customer: null,
      },
    };
  }
  const parsed = wooOrderSchema.safeParse(payload);
  if (!parsed.success)
    return { ok: false, reason: `Not a WooCommerce order: ${parsed.error.issues[0]?.message}` };
  const o = parsed.data;
  return {
    ok: true,
    order: {
      externalId: String(o.id),
      number: o.number === null || o.number === undefined ? null : String(o.number),
      action: o.status && wooEnded.has(o.status) ? 'cancel' : 'upsert',
      updatedAt: instant(o.date_modified_gmt, true),
      lines: o.line_items.map((l) => ({
        sku: l.sku ?? null,
        qty: l.quantity,
        unitPrice: toMoney(l.price, o.currency),
      })),
      customer: customerOf(o.billing, o.billing?.email),
    },
  };
}

/** The order id a payload names, read before it is stored (to find its ingestion). */
export function externalOrderId(payload: unknown): string | undefined {
  const parsed = z.object({ id: idSchema }).safeParse(payload);
  return parsed.success ? String(parsed.data.id) : undefined;
}
