/** The purchasing service's endpoints (see ../shared/API.md): purchase orders, vendors, replenishment. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, createRouter } from '../app-env.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { type Action, assertMay, warehouseScope } from '../identity/policy.ts';
import { etagFor, parseIfMatch } from '../platform/etag.ts';
import { idempotent } from '../platform/idempotency.ts';
import { jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageSchema } from '../platform/pagination.ts';
import { ConflictError, PreconditionRequiredError } from '../platform/problem.ts';
import { readPurchaseOrder } from './purchase-order-store.ts';
import {
  type Buyer,
  createPurchaseOrder,
  endPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrders,
  submitPurchaseOrder,
  updatePurchaseOrder,
} from './purchase-orders.ts';
import { receivePurchaseOrder } from './receiving.ts';
import { replenishmentRoutes } from './replenishment-routes.ts';
import {
  createPurchaseOrderSchema,
  purchaseOrderParam,
  purchaseOrderQuery,
  purchaseOrderSchema,
  receivePurchaseOrderSchema,
  updatePurchaseOrderSchema,
} from './schemas.ts';
import { vendorRoutes } from './vendor-routes.ts';

const tags = ['purchasing'];

const idempotencyHeader = z.object({
  'idempotency-key': z.string().optional().openapi({
    description: 'Retry-safe: a replay within 24 h returns the first response',
    example: 'a7c1e9f2-5b3d-4e8a-9c6f-2d4b8e1a3c57',
  }),
});
const ifMatchHeader = z.object({
  'if-match': z.string().max(1024).optional().openapi({ description: 'The ETag you read', example: '"3"' }),
});
const illegalTransition = new ConflictError(
  'A purchase order that is received cannot be cancelled.',
  'illegal-transition',
  { currentStatus: 'received', attempted: 'cancelled' },
);
const overReceipt = new ConflictError(
  'Line HAM-16OZ would receive more than ordered: 48 ordered, 40 received, at most 8 more.',
  'over-receipt',
  {
    path: 'lines.0.qty',
    line: { sku: 'HAM-16OZ', ordered: 48, received: 40, attempted: 12, receivableLimit: 48 },
  },
);

const createRouteDef = createRoute({
  method: 'post',
  path: '/api/purchase-orders',
  operationId: 'createPurchaseOrder',
  tags,
  summary: 'Draft a purchase order (ETag; Idempotency-Key)',
  description:
    "A draft for one vendor and one warehouse. Unit costs default to the vendor's supplier items; the expected date is now plus the longest lead time of its lines. The ETag header is its version, for If-Match on PATCH. Admins, and managers of the warehouse.",
  ...secured('purchase-orders:write', idempotent()),
  request: { headers: idempotencyHeader, body: jsonBody(createPurchaseOrderSchema) },
  responses: {
    201: jsonContent(purchaseOrderSchema, 'The draft (ETag header: its version)'),
    ...authProblems,
    ...problemResponses(400, 413, 415, 422),
  },
});

const listRouteDef = createRoute({
  method: 'get',
  path: '/api/purchase-orders',
  operationId: 'listPurchaseOrders',
  tags,
  summary: 'Purchase orders in your warehouses, newest first',
  description: 'Optionally by status, vendor or warehouse. Staff see the warehouses in their scope.',
  ...secured('purchase-orders:read'),
  request: { query: purchaseOrderQuery },
  responses: {
    200: jsonContent(pageSchema(purchaseOrderSchema), 'A page of purchase orders'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const readRouteDef = createRoute({
  method: 'get',
  path: '/api/purchase-orders/{id}',
  operationId: 'getPurchaseOrder',
  tags,
  summary: 'Read a purchase order (ETag)',
  description: 'One purchase order with its lines and what each has received. Staff of its warehouse.',
  ...secured('purchase-orders:read'),
  request: { params: purchaseOrderParam },
  responses: {
    200: jsonContent(purchaseOrderSchema, 'The purchase order (ETag header: its version)'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const updateRouteDef = createRoute({
  method: 'patch',
  path: '/api/purchase-orders/{id}',
  operationId: 'updatePurchaseOrder',
  tags,
  summary: 'Change a draft (If-Match required; 412 if it changed since you read it)',
  description:
    'While draft only (409 after). `lines` replaces every line. If-Match must carry the ETag you read: 428 without it, 412 when the purchase order changed since. Admins, and managers of the warehouse.',
  ...secured('purchase-orders:write'),
  request: { params: purchaseOrderParam, headers: ifMatchHeader, body: jsonBody(updatePurchaseOrderSchema) },
  responses: {
    200: jsonContent(purchaseOrderSchema, 'The draft (ETag header: its new version)'),
    ...authProblems,
    ...problemResponses(400, 404, illegalTransition, 412, 415, 422, 428),
  },
});

const stepResponses = {
  200: jsonContent(purchaseOrderSchema, 'The purchase order'),
  ...authProblems,
  ...problemResponses(404, illegalTransition, 422),
};

const submitRouteDef = createRoute({
  method: 'post',
  path: '/api/purchase-orders/{id}/submit',
  operationId: 'submitPurchaseOrder',
  tags,
  summary: 'Submit a draft to its vendor: on order from now',
  description:
    'The lines count as on order for the warehouse until received; the expected date is set from now plus the lead time. Admins, and managers of the warehouse.',
  ...secured('purchase-orders:write'),
  request: { params: purchaseOrderParam },
  responses: stepResponses,
});

const cancelRouteDef = createRoute({
  method: 'post',
  path: '/api/purchase-orders/{id}/cancel',
  operationId: 'cancelPurchaseOrder',
  tags,
  summary: 'Cancel a draft or submitted purchase order',
  description:
    'Only before anything was received (409 otherwise; close a partially received one instead). Admins, and managers of the warehouse.',
  ...secured('purchase-orders:write'),
  request: { params: purchaseOrderParam },
  responses: stepResponses,
});

const closeRouteDef = createRoute({
  method: 'post',
  path: '/api/purchase-orders/{id}/close',
  operationId: 'closePurchaseOrder',
  tags,
  summary: 'Close a partially received purchase order short',
  description:
    'What was not received will not come: it stops counting as on order. Admins, and managers of the warehouse.',
  ...secured('purchase-orders:write'),
  request: { params: purchaseOrderParam },
  responses: stepResponses,
});

const receiveRouteDef = createRoute({
  method: 'post',
  path: '/api/purchase-orders/{id}/receive',
  operationId: 'receivePurchaseOrder',
  tags,
  summary: 'Receive goods against a purchase order (Idempotency-Key)',
  description:
    "Each line adds receipt movements to the warehouse's ledger (reason purchase_order, the PO as reference) and to the line's received quantity; backorders waiting for the sku are allocated. 409 `over-receipt` naming the line when it would exceed what was ordered plus the PO's tolerance. Staff of the warehouse.",
  ...secured('purchase-orders:receive', idempotent()),
  request: {
    params: purchaseOrderParam,
    headers: idempotencyHeader,
    body: jsonBody(receivePurchaseOrderSchema),
  },
  responses: {
    200: jsonContent(purchaseOrderSchema, 'The purchase order, partially received or received'),
    ...authProblems,
    ...problemResponses(400, 404, overReceipt, 413, 415, 422),
  },
});

const buyerOf = (c: Context<AppEnv>): Buyer => ({
  actorId: `${c.var.principal.kind}:${c.var.principal.id}`,
  requestId: c.var.requestId,
  claim: c.var.idempotency,
});

/** 404 when there is no such PO, then 403 unless the caller may do this in its warehouse. */
async function inScope(c: Context<AppEnv>, id: string, action: Action) {
  const { row } = await readPurchaseOrder(c.var.db, id);
  assertMay(c.var.principal, action, row.warehouseId);
}

export const purchasingRoutes = createRouter()
  .openapi(createRouteDef, async (c) => {
    const input = c.req.valid('json');
    assertMay(c.var.principal, 'purchase-orders:write', input.warehouseId);
    const po = await createPurchaseOrder(c.var.db, input, buyerOf(c));
    return c.json(po, 201, { etag: etagFor(po.version) });
  })
  .openapi(listRouteDef, async (c) => {
    const query = c.req.valid('query');
    if (query.warehouseId) assertMay(c.var.principal, 'purchase-orders:read', query.warehouseId);
    return c.json(await listPurchaseOrders(c.var.db, query, warehouseScope(c.var.principal)), 200);
  })
  .openapi(readRouteDef, async (c) => {
    const { id } = c.req.valid('param');
    await inScope(c, id, 'purchase-orders:read');
    const po = await getPurchaseOrder(c.var.db, id);
    return c.json(po, 200, { etag: etagFor(po.version) });
  })
  .openapi(updateRouteDef, async (c) => {
    const { id } = c.req.valid('param');
    const expected = parseIfMatch(c.req.valid('header')['if-match']);
    await inScope(c, id, 'purchase-orders:write');
    if (expected === null) throw new PreconditionRequiredError();
    const po = await updatePurchaseOrder(c.var.db, id, expected, c.req.valid('json'), buyerOf(c));
    return c.json(po, 200, { etag: etagFor(po.version) });
  })
  .openapi(submitRouteDef, async (c) => {
    const { id } = c.req.valid('param');
    await inScope(c, id, 'purchase-orders:write');
    return c.json(await submitPurchaseOrder(c.var.db, id, buyerOf(c)), 200);
  })
  .openapi(cancelRouteDef, async (c) => {
    const { id } = c.req.valid('param');
    await inScope(c, id, 'purchase-orders:write');
    return c.json(await endPurchaseOrder(c.var.db, id, 'cancel', buyerOf(c)), 200);
  })
  .openapi(closeRouteDef, async (c) => {
    const { id } = c.req.valid('param');
    await inScope(c, id, 'purchase-orders:write');
    return c.json(await endPurchaseOrder(c.var.db, id, 'close', buyerOf(c)), 200);
  })
  .openapi(receiveRouteDef, async (c) => {
    const { id } = c.req.valid('param');
    await inScope(c, id, 'purchase-orders:receive');
    const po = await receivePurchaseOrder(c.var.db, c.var.inventory, id, c.req.valid('json'), buyerOf(c));
    return c.json(po, 200, { etag: etagFor(po.version) });
  })
  .route('/', vendorRoutes)
  .route('/', replenishmentRoutes);
