import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, createRouter } from '../app-env.ts';
import { skuSchema } from '../catalog/schemas.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { type Action, assertMay, may, warehouseScope } from '../identity/policy.ts';
import { idempotent } from '../platform/idempotency.ts';
import { exampleIds, jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageQuery, pageSchema } from '../platform/pagination.ts';
import { ConflictError, ForbiddenError } from '../platform/problem.ts';
import { type Actor, adjustStock, belowReserved, countStock } from './adjustments.ts';
import { readAvailability } from './availability.ts';
import { listMovements } from './movements.ts';
import { outOfStock } from './out-of-stock.ts';
import {
  adjustmentSchema,
  countResultSchema,
  createTransferSchema,
  createWarehouseSchema,
  movementQuery,
  movementSchema,
  receiveTransferSchema,
  reorderSchema,
  stockCountSchema,
  stockLevelSchema,
  stockQuery,
  transferQuery,
  transferSchema,
  warehouseSchema,
} from './schemas.ts';
import { listStock, setReorder } from './stock.ts';
import {
  cancelTransfer,
  createTransfer,
  listTransfers,
  readTransfer,
  receiveTransfer,
  shipTransfer,
  type TransferView,
} from './transfers.ts';
import { createWarehouse, getWarehouse, listWarehouses } from './warehouses.ts';

const tags = ['inventory'];
const belowReservedExample = belowReserved([
  { warehouseId: exampleIds.warehouse, sku: 'HAM-16OZ', onHand: 40, reserved: 36, delta: -12 },
]);
const transferTransition = new ConflictError(
  'A transfer that is in_transit cannot be cancelled.',
  'illegal-transition',
  {
    currentStatus: 'in_transit',
    attempted: 'cancelled',
  },
);
const idempotencyHeader = z.object({
  'idempotency-key': z.string().optional().openapi({
    description: 'Retry-safe: a replay within 24 h returns the first response',
    example: '6f1d2c3b-adjust-0001',
  }),
});

/** Who did it, for the ledger and events; and the idempotency claim, if any. */
export const actorOf = (c: Context<AppEnv>): Actor => ({
  actorId: `${c.var.principal.kind}:${c.var.principal.id}`,
  requestId: c.var.requestId,
  claim: c.var.idempotency,
});

const createWarehouseRoute = createRoute({
  method: 'post',
  path: '/api/warehouses',
  operationId: 'createWarehouse',
  tags,
  summary: 'Create a warehouse (admin)',
  description:
    'A warehouse with a short unique code (upper-cased; 409 when taken) and the IANA time zone its day runs in (UTC by default). Its stock starts empty; its live room opens at /ws/warehouses/{id}. Admins only.',
  ...secured('warehouses:create'),
  request: { body: jsonBody(createWarehouseSchema) },
  responses: {
    201: jsonContent(warehouseSchema, 'The new warehouse'),
    ...authProblems,
    ...problemResponses(400, new ConflictError('A warehouse with code HEL exists already.'), 413, 415, 422),
  },
});

const listWarehousesRoute = createRoute({
  method: 'get',
  path: '/api/warehouses',
  operationId: 'listWarehouses',
  tags,
  summary: 'List the warehouses in your scope, by code',
  description:
    'Ordered by code, a page at a time: admins see every warehouse, everyone else those in their scope.',
  ...secured('warehouses:read'),
  request: { query: pageQuery },
  responses: {
    200: jsonContent(pageSchema(warehouseSchema), 'A page of warehouses'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const warehouseParam = z.object({ id: z.uuid().openapi({ example: exampleIds.warehouse }) });

const readWarehouseRoute = createRoute({
  method: 'get',
  path: '/api/warehouses/{id}',
  operationId: 'getWarehouse',
  tags,
  summary: 'Read a warehouse in your scope',
  description: 'One warehouse by id; 403 when it is outside your scope.',
  ...secured('warehouses:read'),
  request: { params: warehouseParam },
  responses: {
    200: jsonContent(warehouseSchema, 'The warehouse'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const listStockRoute = createRoute({
  method: 'get',
  path: '/api/warehouses/{id}/stock',
  operationId: 'listWarehouseStock',
  tags,
  summary: "A warehouse's stock levels, by sku",
  description:
    'On hand, reserved, available (on hand minus reserved), in transit and reorder settings per sku, ordered by sku. `belowReorderPoint=true` lists only what needs reordering. Warehouse staff in their scope; partners see availability instead.',
  ...secured('stock:read'),
  request: { params: warehouseParam, query: stockQuery },
  responses: {
    200: jsonContent(pageSchema(stockLevelSchema), 'A page of levels'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const reorderRoute = createRoute({
  method: 'put',
  path: '/api/warehouses/{id}/stock/{sku}/reorder',
  operationId: 'setReorderSettings',
  tags,
  summary: 'Set the reorder point and quantity of a sku in a warehouse',
  description:
    'When available stock falls to the reorder point, a low-stock event is raised for the reorder quantity (with the preferred vendor, if set). Creates the level if the sku has none in this warehouse yet. Admins and managers in their scope.',
  ...secured('stock:reorder'),
  request: {
    params: z.object({ id: z.uuid().openapi({ example: exampleIds.warehouse }), sku: skuSchema }),
    body: jsonBody(reorderSchema),
  },
  responses: {
    200: jsonContent(stockLevelSchema, 'The level with its reorder settings'),
    ...authProblems,
    ...problemResponses(400, 404, 415, 422),
  },
});

const adjustRoute = createRoute({
  method: 'post',
  path: '/api/inventory/adjustments',
  operationId: 'adjustStock',
  tags,
  summary: 'Adjust on hand (received, damaged, lost, found, count, other)',
  description:
    'Written to the ledger as one movement. 409 `below-reserved` if on hand would fall below what is reserved.',
  ...secured('stock:adjust', idempotent()),
  request: { headers: idempotencyHeader, body: jsonBody(adjustmentSchema) },
  responses: {
    201: jsonContent(movementSchema, 'The movement'),
    ...authProblems,
    ...problemResponses(400, belowReservedExample, 413, 415, 422),
  },
});

const movementsRoute = createRoute({
  method: 'get',
  path: '/api/inventory/movements',
  operationId: 'listMovements',
  tags,
  summary: 'The ledger, newest first, filtered by warehouse, sku and type',
  description:
    'Every change to on hand, signed, newest first: receipts, shipments, adjustments, transfers and counts. The ledger is append-only. Warehouse staff see the warehouses in their scope.',
  ...secured('stock:read'),
  request: { query: movementQuery },
  responses: {
    200: jsonContent(pageSchema(movementSchema), 'A page of movements'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const countRoute = createRoute({
  method: 'post',
  path: '/api/inventory/counts',
  operationId: 'recordStockCount',
  tags,
  summary: 'Record a stock count; variances become count movements',
  description:
    'Each line says what was counted; a sku whose count differs from on hand gets a count movement for the variance, and the result lists the variances. 409 when a count would take on hand below what is reserved. Warehouse staff in their scope.',
  ...secured('stock:adjust'),
  request: { body: jsonBody(stockCountSchema) },
  responses: {
    201: jsonContent(countResultSchema, 'The count with its variances'),
    ...authProblems,
    ...problemResponses(400, belowReservedExample, 413, 415, 422),
  },
});

const availabilitySchema = z
  .object({
    sku: z.string().openapi({ example: 'HAM-16OZ' }),
    warehouses: z.array(
      z.object({
        warehouseId: z.string().openapi({ example: exampleIds.warehouse }),
        code: z.string().openapi({ example: 'HEL' }),
        onHand: z.number().int().openapi({ example: 40 }),
        reserved: z.number().int().openapi({ example: 6 }),
        available: z.number().int().openapi({ example: 34 }),
        version: z.number().int().openapi({ example: 7 }),
      }),
    ),
    available: z.number().int().openapi({ description: 'The sum over the warehouses listed', example: 34 }),
  })
  .openapi('Availability');

// Also answered by the edge (edge/routes/products.ts) from the warehouse rooms for tokens; API keys come here.
const availabilityRoute = createRoute({
  method: 'get',
  path: '/api/products/{sku}/availability',
  operationId: 'getProductAvailability',
  tags,
  summary: 'What can be sold of a sku, per warehouse in your scope',
  description:
    'Available stock per warehouse in your scope and in all. With an access token the edge answers from the warehouse rooms (live, no database call); API keys are answered by core.',
  ...secured('availability:read'),
  request: { params: z.object({ sku: z.string().min(1).max(64).openapi({ example: 'HAM-16OZ' }) }) },
  responses: {
    200: jsonContent(availabilitySchema, 'Availability per warehouse and in all'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const transferParam = z.object({ id: z.uuid().openapi({ example: exampleIds.transfer }) });

const createTransferRoute = createRoute({
  method: 'post',
  path: '/api/transfers',
  operationId: 'createTransfer',
  tags,
  summary: 'Request a transfer: stock is held at the source until shipped, cancelled or expiresAt',
  description:
    'Moves stock between two warehouses in three steps: requested (held at the source), shipped (in transit), received. A transfer not shipped by its expiresAt is cancelled and its stock released. 409 when the source lacks available stock. Staff at the source warehouse.',
  ...secured('transfers:write', idempotent()),
  request: { headers: idempotencyHeader, body: jsonBody(createTransferSchema) },
  responses: {
    201: jsonContent(transferSchema, 'The transfer, requested'),
    ...authProblems,
    ...problemResponses(
      400,
      outOfStock([{ warehouseId: exampleIds.warehouse, sku: 'HAM-16OZ', requested: 12, available: 4 }]),
      413,
      415,
      422,
    ),
  },
});

const transferStepResponses = {
  200: jsonContent(transferSchema, 'The transfer'),
  ...authProblems,
  ...problemResponses(404, transferTransition, 422),
};

const shipTransferRoute = createRoute({
  method: 'post',
  path: '/api/transfers/{id}/ship',
  operationId: 'shipTransfer',
  tags,
  summary: 'Ship a requested transfer: in transit (409 `transfer-expired` past its expiresAt)',
  description:
    "The held stock leaves the source's on hand and shows as in transit at the destination. Staff at the source warehouse.",
  ...secured('transfers:write'),
  request: { params: transferParam },
  responses: transferStepResponses,
});

const cancelTransferRoute = createRoute({
  method: 'post',
  path: '/api/transfers/{id}/cancel',
  operationId: 'cancelTransfer',
  tags,
  summary: 'Cancel a requested transfer: its stock is released',
  description:
    'Only a requested transfer can be cancelled (409 otherwise); its held stock becomes available again. Staff at the source warehouse.',
  ...secured('transfers:write'),
  request: { params: transferParam },
  responses: transferStepResponses,
});

const receiveTransferRoute = createRoute({
  method: 'post',
  path: '/api/transfers/{id}/receive',
  operationId: 'receiveTransfer',
  tags,
  summary: 'Receive a transfer at its destination, whole or some lines',
  description:
    'Without a body, everything still in transit is received. With `lines`, only those quantities; the transfer stays partially received until every line is. Staff at the destination warehouse.',
  ...secured('transfers:write'),
  request: {
    params: transferParam,
    body: { required: false, content: { 'application/json': { schema: receiveTransferSchema } } },
  },
  responses: {
    200: jsonContent(transferSchema, 'The transfer, received or partially received'),
    ...authProblems,
    ...problemResponses(400, 404, transferTransition, 415, 422),
  },
});

const readTransferRoute = createRoute({
  method: 'get',
  path: '/api/transfers/{id}',
  operationId: 'getTransfer',
  tags,
  summary: 'Read a transfer (either end in your scope)',
  description: 'One transfer by id, for staff at either end; 403 outside your scope.',
  ...secured('transfers:read'),
  request: { params: transferParam },
  responses: {
    200: jsonContent(transferSchema, 'The transfer'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const listTransfersRoute = createRoute({
  method: 'get',
  path: '/api/transfers',
  operationId: 'listTransfers',
  tags,
  summary: 'Transfers touching your warehouses, newest first',
  description:
    'Transfers from or to the warehouses in your scope, newest first, optionally by status or one warehouse.',
  ...secured('transfers:read'),
  request: { query: transferQuery },
  responses: {
    200: jsonContent(pageSchema(transferSchema), 'A page of transfers'),
    ...authProblems,
    ...problemResponses(422),
  },
});

/** 403 unless the caller may act at this end of the transfer (404 first when it does not exist). */
async function transferFor(c: Context<AppEnv>, id: string, action: Action, end: 'from' | 'to' | 'either') {
  const t: TransferView = await readTransfer(c.var.db, id);
  const ends =
    end === 'from'
      ? [t.fromWarehouseId]
      : end === 'to'
        ? [t.toWarehouseId]
        : [t.fromWarehouseId, t.toWarehouseId];
  if (!ends.some((w) => may(c.var.principal, action, w)))
    throw new ForbiddenError('This transfer is outside your scope.');
  return t;
}

export const inventoryRoutes = createRouter()
  .openapi(createWarehouseRoute, async (c) => {
    const warehouse = await createWarehouse(c.var.db, c.req.valid('json'), c.var.requestId);
    return c.json(warehouse, 201);
  })
  .openapi(listWarehousesRoute, async (c) =>
    c.json(await listWarehouses(c.var.db, c.req.valid('query'), warehouseScope(c.var.principal)), 200),
  )
  .openapi(readWarehouseRoute, async (c) => {
    const { id } = c.req.valid('param');
    assertMay(c.var.principal, 'warehouses:read', id);
    return c.json(await getWarehouse(c.var.db, id), 200);
  })
  .openapi(listStockRoute, async (c) => {
    const { id } = c.req.valid('param');
    assertMay(c.var.principal, 'stock:read', id);
    await getWarehouse(c.var.db, id);
    return c.json(await listStock(c.var.db, id, c.req.valid('query')), 200);
  })
  .openapi(reorderRoute, async (c) => {
    const { id, sku } = c.req.valid('param');
    assertMay(c.var.principal, 'stock:reorder', id);
    await getWarehouse(c.var.db, id);
    return c.json(await setReorder(c.var.db, id, sku, c.req.valid('json')), 200);
  })
  .openapi(adjustRoute, async (c) => {
    const input = c.req.valid('json');
    assertMay(c.var.principal, 'stock:adjust', input.warehouseId);
    return c.json(await adjustStock(c.var.db, input, actorOf(c)), 201);
  })
  .openapi(movementsRoute, async (c) => {
    const query = c.req.valid('query');
    if (query.warehouseId) assertMay(c.var.principal, 'stock:read', query.warehouseId);
    return c.json(await listMovements(c.var.db, query, warehouseScope(c.var.principal)), 200);
  })
  .openapi(countRoute, async (c) => {
    const input = c.req.valid('json');
    assertMay(c.var.principal, 'stock:adjust', input.warehouseId);
    return c.json(await countStock(c.var.db, input, actorOf(c)), 201);
  })
  .openapi(availabilityRoute, async (c) => {
    const { sku } = c.req.valid('param');
    return c.json(await readAvailability(c.var.db.$client, sku, warehouseScope(c.var.principal)), 200);
  })
  .openapi(createTransferRoute, async (c) => {
    const input = c.req.valid('json');
    assertMay(c.var.principal, 'transfers:write', input.fromWarehouseId);
    return c.json(await createTransfer(c.var.db, input, actorOf(c), c.var.holds.transferExpiryHours), 201);
  })
  .openapi(shipTransferRoute, async (c) => {
    const { id } = c.req.valid('param');
    await transferFor(c, id, 'transfers:write', 'from');
    return c.json(await shipTransfer(c.var.db, id, actorOf(c)), 200);
  })
  .openapi(cancelTransferRoute, async (c) => {
    const { id } = c.req.valid('param');
    await transferFor(c, id, 'transfers:write', 'from');
    return c.json(await cancelTransfer(c.var.db, id, actorOf(c)), 200);
  })
  .openapi(receiveTransferRoute, async (c) => {
    const { id } = c.req.valid('param');
    await transferFor(c, id, 'transfers:write', 'to');
    const body = (await c.req.text()).trim() === '' ? {} : c.req.valid('json');
    return c.json(await receiveTransfer(c.var.db, id, body, actorOf(c)), 200);
  })
  .openapi(readTransferRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await transferFor(c, id, 'transfers:read', 'either'), 200);
  })
  .openapi(listTransfersRoute, async (c) => {
    const query = c.req.valid('query');
    if (query.warehouseId) assertMay(c.var.principal, 'transfers:read', query.warehouseId);
    return c.json(await listTransfers(c.var.db, query, warehouseScope(c.var.principal)), 200);
  });
