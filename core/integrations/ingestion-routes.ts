/**
 * Orders in from shops: connections (admin), the two receivers the platforms call (public:
 * believed by their signature over the raw body, not by a token), and the received orders.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, createRouter } from '../app-env.ts';
import { authProblems, publicRoute, secured } from '../identity/authorize.ts';
import { jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageSchema } from '../platform/pagination.ts';
import { ConflictError } from '../platform/problem.ts';
import { createConnection, deleteConnection, listConnections } from './connections.ts';
import {
  connectionSchema,
  createConnectionSchema,
  ingestionQuery,
  ingestionSchema,
  receivedSchema,
} from './ingestion-schemas.ts';
import { listIngestions } from './ingestions.ts';
import { receiveDelivery } from './receiving.ts';
import type { ConnectionKind } from './tables.ts';

const tags = ['integrations'];

const createConnectionRoute = createRoute({
  method: 'post',
  path: '/api/integrations/connections',
  operationId: 'createConnection',
  tags,
  summary: 'Connect a Shopify or WooCommerce shop whose orders come in (admin)',
  description:
    "The shop's order webhooks go to `receiverPath`, signed with `secret`; its orders are placed in `warehouseId` with `channel`. The secret is stored encrypted and never returned. One connection per shop (409 `duplicate-connection`) and per channel (409 `duplicate-channel`, naming `channel`): orders are unique per channel and shop order id, which two shops can share. Admins only.",
  ...secured('integrations:manage'),
  request: { body: jsonBody(createConnectionSchema) },
  responses: {
    201: jsonContent(connectionSchema, 'The connection (without its secret)'),
    ...authProblems,
    ...problemResponses(
      400,
      new ConflictError('This shopify shop is connected already.', 'duplicate-connection'),
      415,
      422,
    ),
  },
});

const listConnectionsRoute = createRoute({
  method: 'get',
  path: '/api/integrations/connections',
  operationId: 'listConnections',
  tags,
  summary: 'Connected shops (admin)',
  description: 'Every connected shop, oldest first, without secrets. Admins only.',
  ...secured('integrations:manage'),
  responses: {
    200: jsonContent(z.object({ items: z.array(connectionSchema) }), 'The connections'),
    ...authProblems,
  },
});

const deleteConnectionRoute = createRoute({
  method: 'delete',
  path: '/api/integrations/connections/{id}',
  operationId: 'deleteConnection',
  tags,
  summary: 'Disconnect a shop (admin)',
  description:
    'Its deliveries are refused from now on (401) and its received orders are forgotten; orders already placed from them stay. Admins only.',
  ...secured('integrations:manage'),
  request: {
    params: z.object({ id: z.uuid().openapi({ example: '6c1f9a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' }) }),
  },
  responses: { 204: { description: 'Disconnected' }, ...authProblems, ...problemResponses(404, 422) },
});

const listIngestionsRoute = createRoute({
  method: 'get',
  path: '/api/integrations/ingestions',
  operationId: 'listIngestions',
  tags,
  summary: 'Orders received from shops, and why one could not become an order (admin)',
  description:
    'Newest first, a page at a time. `needs_attention`: the order could not be placed or changed as the shop sent it (an unknown sku, too little stock, an order already shipped), with the reason; it holds no stock. Admins only.',
  ...secured('integrations:manage'),
  request: { query: ingestionQuery },
  responses: {
    200: jsonContent(pageSchema(ingestionSchema), 'A page of received orders'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const optionalHeader = (example: string) => z.string().optional().openapi({ example });

const receiverResponses = {
  200: jsonContent(receivedSchema, 'Nothing to process (a ping, or a topic not taken)'),
  202: jsonContent(receivedSchema, 'Stored; the order is placed, changed or cancelled by a job'),
  ...problemResponses(400, 401, 413, 422),
};

const shopifyReceiverRoute = createRoute({
  method: 'post',
  path: '/api/integrations/shopify/orders',
  operationId: 'receiveShopifyOrder',
  tags,
  summary: "Shopify's order webhooks (orders/create, orders/updated, orders/cancelled)",
  description:
    "Called by Shopify, not by people: the body (Shopify's order JSON) must be signed, `X-Shopify-Hmac-Sha256` being the base64 HMAC-SHA256 of the raw body under the connection's secret (401 otherwise, and nothing is kept). `X-Shopify-Shop-Domain` picks the connection; a repeated `X-Shopify-Webhook-Id` is answered without being processed again. Answers at once; a job places the order once per shop order, changes its lines or cancels it.",
  ...publicRoute,
  request: {
    headers: z.object({
      'x-shopify-hmac-sha256': optionalHeader('XWmrwMey6OsLMeiZKwP4FppHH3cmAiiJJAweH5Jo4bM='),
      'x-shopify-shop-domain': optionalHeader('acme.myshopify.com'),
      'x-shopify-topic': optionalHeader('orders/create'),
      'x-shopify-webhook-id': optionalHeader('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043'),
    }),
  },
  responses: receiverResponses,
});

const wooReceiverRoute = createRoute({
  method: 'post',
  path: '/api/integrations/woocommerce/orders',
  operationId: 'receiveWooCommerceOrder',
  tags,
  summary: "WooCommerce's order webhooks (order.created, order.updated, order.deleted)",
  description:
    "Called by WooCommerce, not by people: `X-WC-Webhook-Signature` must be the base64 HMAC-SHA256 of the raw body under the connection's secret (401 otherwise, and nothing is kept); `X-WC-Webhook-Source` (the site URL) picks the connection; a repeated `X-WC-Webhook-Delivery-ID` is not processed again. The ping WooCommerce sends when a webhook is saved (`webhook_id=<id>`, form-encoded) is answered 200. A job places, changes or cancels the order.",
  ...publicRoute,
  request: {
    headers: z.object({
      'x-wc-webhook-signature': optionalHeader('Lx3Jq8m3Yl0Zp6Q2n5lq5N4Xk1Zr0wq0c1d2e3f4a5b='),
      'x-wc-webhook-source': optionalHeader('https://shop.example.com/'),
      'x-wc-webhook-topic': optionalHeader('order.created'),
      'x-wc-webhook-delivery-id': optionalHeader('7f3a0c2e5b9d4e1f8a6c'),
    }),
  },
  responses: receiverResponses,
});

async function receive(c: Context<AppEnv>, kind: ConnectionKind) {
  const raw = new Uint8Array(await c.req.arrayBuffer());
  const { status, ...body } = await receiveDelivery(
    { db: c.var.db, settings: c.var.identity.settings, log: c.var.log },
    kind,
    c.req.raw.headers,
    raw,
  );
  return { status, body };
}

export const ingestionRoutes = createRouter()
  .openapi(createConnectionRoute, async (c) =>
    c.json(
      await createConnection(c.var.db, c.var.identity.settings, c.req.valid('json'), c.var.principal),
      201,
    ),
  )
  .openapi(listConnectionsRoute, async (c) => c.json({ items: await listConnections(c.var.db) }, 200))
  .openapi(deleteConnectionRoute, async (c) => {
    await deleteConnection(c.var.db, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(listIngestionsRoute, async (c) =>
    c.json(await listIngestions(c.var.db, c.req.valid('query')), 200),
  )
  .openapi(shopifyReceiverRoute, async (c) => {
    const { status, body } = await receive(c, 'shopify');
    return status === 200 ? c.json(body, 200) : c.json(body, 202);
  })
  .openapi(wooReceiverRoute, async (c) => {
    const { status, body } = await receive(c, 'woocommerce');
    return status === 200 ? c.json(body, 200) : c.json(body, 202);
  });
