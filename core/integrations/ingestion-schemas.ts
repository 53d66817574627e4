import { z } from '@hono/zod-openapi';
import { exampleIds, exampleTime } from '../platform/openapi.ts';
import { pageQuery } from '../platform/pagination.ts';

const secret = z.string().min(16).max(512).openapi({
  description: "The webhook's signing secret as the platform shows it (Shopify: the app's client secret)",
  example: 'shpss_5f2d0c8a41e79b36d2a8f01c',
});
const warehouseId = z
  .uuid()
  .openapi({ description: "The warehouse the shop's orders are served from", example: exampleIds.warehouse });
const channel = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .openapi({ description: "The orders' channel", example: 'shopify-eu' });

export const createConnectionSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('shopify').openapi({ example: 'shopify' }),
        shopDomain: z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/, 'A domain such as acme.myshopify.com')
          .max(255)
          .openapi({ example: 'acme.myshopify.com' }),
        secret,
        warehouseId,
        channel,
      })
      .strict(),
    z
      .object({
        kind: z.literal('woocommerce').openapi({ example: 'woocommerce' }),
        siteUrl: z
          .url({ protocol: /^https?$/ })
          .max(500)
          .openapi({
            description: 'As WooCommerce sends it in X-WC-Webhook-Source',
            example: 'https://shop.example.com/',
          }),
        secret,
        warehouseId,
        channel,
      })
      .strict(),
  ])
  .openapi('CreateConnection');
export type CreateConnection = z.infer<typeof createConnectionSchema>;

export const connectionSchema = z
  .object({
    id: z.string().openapi({ example: '6c1f9a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' }),
    kind: z.enum(['shopify', 'woocommerce']).openapi({ example: 'shopify' }),
    source: z.string().openapi({
      description: 'The shop domain (Shopify) or the site URL (WooCommerce) its deliveries name',
      example: 'acme.myshopify.com',
    }),
    warehouseId: z.string().openapi({ example: exampleIds.warehouse }),
    channel: z.string().openapi({ example: 'shopify-eu' }),
    receiverPath: z.string().openapi({
      description: "Where the platform's order webhooks go",
      example: '/api/integrations/shopify/orders',
    }),
    createdAt: z.string().openapi({ example: exampleTime }),
  })
  .openapi('Connection');
export type ConnectionView = z.infer<typeof connectionSchema>;

export const ingestionStatuses = ['received', 'done', 'needs_attention'] as const;

export const ingestionDeliverySchema = z
  .object({
    deliveryId: z.string().openapi({
      description: "The platform's delivery id (X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID)",
      example: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    }),
    topic: z.string().openapi({ example: 'orders/updated' }),
    receivedAt: z.string().openapi({ example: exampleTime }),
    processedAt: z.string().nullable().openapi({ example: exampleTime }),
    skippedReason: z.string().nullable().openapi({
      description: 'Why this delivery changed nothing once processed',
      example: 'Older than the update already applied.',
    }),
  })
  .openapi('IngestionDelivery');

export const ingestionSchema = z
  .object({
    id: z.string().openapi({ example: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a' }),
    connectionId: z.string().openapi({ example: '6c1f9a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' }),
    externalOrderId: z.string().openapi({ description: "The platform's order id", example: '5940139491234' }),
    externalNumber: z.string().nullable().openapi({ example: '#1001' }),
    status: z.enum(ingestionStatuses).openapi({ example: 'needs_attention' }),
    reason: z.string().nullable().openapi({
      description: 'Why no order (or no change) was made',
      example: 'No product has the sku HAM-99.',
    }),
    orderId: z.string().nullable().openapi({ example: null }),
    lastTopic: z.string().openapi({ example: 'orders/create' }),
    createdAt: z.string().openapi({ example: exampleTime }),
    updatedAt: z.string().openapi({ example: exampleTime }),
    deliveries: z
      .array(ingestionDeliverySchema)
      .openapi({ description: "The platform's deliveries of this order, oldest first" }),
  })
  .openapi('Ingestion');
export type IngestionView = z.infer<typeof ingestionSchema>;

export const ingestionQuery = pageQuery.extend({
  status: z.enum(['needs_attention', 'done']).optional().openapi({ example: 'needs_attention' }),
});

export const receivedSchema = z
  .object({
    ingestionId: z.string().nullable().openapi({ example: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a' }),
    duplicate: z.boolean().openapi({ description: 'This delivery id was received before', example: false }),
  })
  .openapi('ReceivedDelivery');
