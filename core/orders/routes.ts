import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, createRouter } from '../app-env.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { assertMay } from '../identity/policy.ts';
import { outOfStock } from '../inventory/out-of-stock.ts';
import { idempotent } from '../platform/idempotency.ts';
import { exampleIds, jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageSchema } from '../platform/pagination.ts';
import { ConflictError } from '../platform/problem.ts';
import { cancelOrder, confirmOrder, patchOrder } from './order-changes.ts';
import { createOrder } from './order-creation.ts';
import { deliverOrder, shipOrder } from './order-fulfilment.ts';
import { listOrders, readOrder } from './order-reads.ts';
import type { OrderActor, OrderDeps, OrderRequestDeps } from './order-store.ts';
import { createOrderSchema, orderQuery, orderSchema, patchOrderSchema, shipOrderSchema } from './schemas.ts';

const tags = ['orders'];
const outOfStockExample = outOfStock([
  { warehouseId: exampleIds.warehouse, sku: 'HAM-16OZ', requested: 2, available: 1 },
]);
const orderTransition = new ConflictError(
  'An order that is shipped cannot become cancelled.',
  'illegal-transition',
  {
    currentStatus: 'shipped',
    attempted: 'cancelled',
  },
);
const idParam = z.object({ id: z.uuid().openapi({ example: exampleIds.order }) });

const depsOf = (c: Context<AppEnv>): OrderDeps => ({
  db: c.var.db,
  inventory: c.var.inventory,
  log: c.var.log,
});
const requestDepsOf = (c: Context<AppEnv>): OrderRequestDeps => ({ ...depsOf(c), holds: c.var.holds });
const actorOf = (c: Context<AppEnv>): OrderActor => ({
  principal: c.var.principal,
  requestId: c.var.requestId,
  claim: c.var.idempotency,
});

const createOrderRoute = createRoute({
  method: 'post',
  path: '/api/orders',
  operationId: 'createOrder',
  tags,
  summary: 'Place an order: stock is reserved, never oversold',
  description:
    'Without `warehouseId` the allocator picks warehouses in your scope: fewest splits, then most stock. ' +
    '409 `out-of-stock` lists the short lines unless `allowPartial` or `allowBackorder` says what to do with them. ' +
    'Send `Idempotency-Key` to retry safely: a replay within 24 h returns the first response.',
  ...secured('orders:create', idempotent()),
  request: {
    headers: z.object({ 'idempotency-key': z.string().optional().openapi({ example: 'checkout-58213' }) }),
    body: jsonBody(createOrderSchema),
  },
  responses: {
    201: jsonContent(orderSchema, 'The order: confirmed or backordered; pending with `reservationExpiresAt`'),
    ...authProblems,
    ...problemResponses(400, outOfStockExample, 413, 415, 422),
  },
});

const readOrderRoute = createRoute({
  method: 'get',
  path: '/api/orders/{id}',
  operationId: 'getOrder',
  tags,
  summary: 'Read an order',
  description:
    'Staff read orders in their warehouses (403 outside them); a partner reads only the orders it placed: ' +
    "another's is 404, as an unknown id. The same holds for changing, cancelling and confirming.",
  ...secured('orders:read'),
  request: { params: idParam },
  responses: { 200: jsonContent(orderSchema, 'The order'), ...authProblems, ...problemResponses(404, 422) },
});

const listOrdersRoute = createRoute({
  method: 'get',
  path: '/api/orders',
  operationId: 'listOrders',
  tags,
  summary: 'Orders you may read, newest first: staff their warehouses (and their own), partners their own',
  description:
    'Newest first, a page at a time, optionally by status or one warehouse (403 when it is outside your scope).',
  ...secured('orders:read'),
  request: { query: orderQuery },
  responses: {
    200: jsonContent(pageSchema(orderSchema), 'A page of orders'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const patchOrderRoute = createRoute({
  method: 'patch',
  path: '/api/orders/{id}',
  operationId: 'replaceOrderLines',
  tags,
  summary: 'Replace the lines of a pending or confirmed order; reservations follow',
  description:
    "The new lines replace the old: reservations are taken for what grew and released for what shrank, under the same rules as placing it (409 `out-of-stock` when the new lines cannot be served). Only pending and confirmed orders change; prices other than the catalog's need orders:price-override.",
  ...secured('orders:update'),
  request: { params: idParam, body: jsonBody(patchOrderSchema) },
  responses: {
    200: jsonContent(orderSchema, 'The order'),
    ...authProblems,
    ...problemResponses(400, 404, outOfStockExample, 415, 422),
  },
});

const stepResponses = {
  200: jsonContent(orderSchema, 'The order'),
  ...authProblems,
  ...problemResponses(404, orderTransition, 422),
};

const cancelOrderRoute = createRoute({
  method: 'post',
  path: '/api/orders/{id}/cancel',
  operationId: 'cancelOrder',
  tags,
  summary: 'Cancel a pending, backordered or confirmed order: its stock is released',
  description:
    'Every reservation and backorder of the order is released at once; 409 once any of it has shipped. Cancelling a cancelled order is 409 too.',
  ...secured('orders:update'),
  request: { params: idParam },
  responses: stepResponses,
});

const confirmOrderRoute = createRoute({
  method: 'post',
  path: '/api/orders/{id}/confirm',
  operationId: 'confirmOrder',
  tags,
  summary:
    'Confirm a pending order (paid): its stock stays held, with no expiry; 409 `reservation-expired` once it lapsed',
  description:
    'For an order placed with `reservationExpiresAt` (awaiting payment): confirming keeps its stock held with no expiry. After the hold lapsed the order is cancelled and this answers 409 `reservation-expired`.',
  ...secured('orders:update'),
  request: { params: idParam },
  responses: stepResponses,
});

const deliverOrderRoute = createRoute({
  method: 'post',
  path: '/api/orders/{id}/deliver',
  operationId: 'deliverOrder',
  tags,
  summary: 'Mark a shipped order delivered',
  description:
    "The last step: a shipped order was received by the customer. 409 unless the order is shipped. Warehouse staff in the order's warehouses.",
  ...secured('orders:fulfil'),
  request: { params: idParam },
  responses: stepResponses,
});

const shipOrderRoute = createRoute({
  method: 'post',
  path: '/api/orders/{id}/ship',
  operationId: 'shipOrder',
  tags,
  summary: 'Ship all or some of what is allocated',
  description:
    "Without a body, everything allocated ships; with `lines`, only those quantities (the order stays partially shipped). Shipping takes the stock off on hand and writes shipment movements to the ledger. Warehouse staff in the order's warehouses.",
  ...secured('orders:fulfil'),
  request: {
    params: idParam,
    body: { required: false, content: { 'application/json': { schema: shipOrderSchema } } },
  },
  responses: {
    200: jsonContent(orderSchema, 'The order, shipped or partially shipped'),
    ...authProblems,
    ...problemResponses(
      400,
      404,
      new ConflictError('Nothing on this order is allocated and waiting to ship.', 'nothing-to-ship'),
      415,
      422,
    ),
  },
});

export const ordersRoutes = createRouter()
  .openapi(createOrderRoute, async (c) =>
    c.json(await createOrder(requestDepsOf(c), c.req.valid('json'), actorOf(c)), 201),
  )
  .openapi(readOrderRoute, async (c) =>
    c.json(await readOrder(c.var.db, c.req.valid('param').id, c.var.principal), 200),
  )
  .openapi(listOrdersRoute, async (c) => {
    const query = c.req.valid('query');
    if (query.warehouseId) assertMay(c.var.principal, 'orders:read', query.warehouseId);
    return c.json(await listOrders(c.var.db, query, c.var.principal), 200);
  })
  .openapi(patchOrderRoute, async (c) =>
    c.json(await patchOrder(requestDepsOf(c), c.req.valid('param').id, c.req.valid('json'), actorOf(c)), 200),
  )
  .openapi(cancelOrderRoute, async (c) =>
    c.json(await cancelOrder(depsOf(c), c.req.valid('param').id, actorOf(c)), 200),
  )
  .openapi(confirmOrderRoute, async (c) =>
    c.json(await confirmOrder(depsOf(c), c.req.valid('param').id, actorOf(c)), 200),
  )
  .openapi(deliverOrderRoute, async (c) =>
    c.json(await deliverOrder(depsOf(c), c.req.valid('param').id, actorOf(c)), 200),
  )
  .openapi(shipOrderRoute, async (c) => {
    const body = (await c.req.text()).trim() === '' ? {} : c.req.valid('json');
    return c.json(await shipOrder(depsOf(c), c.req.valid('param').id, body, actorOf(c)), 200);
  });
