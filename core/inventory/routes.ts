import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app-env.ts';
import { skuSchema } from '../catalog/schemas.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { assertMay, warehouseScope } from '../identity/policy.ts';
import { idempotent } from '../platform/idempotency.ts';
import { exampleIds, jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageQuery, pageSchema } from '../platform/pagination.ts';
import { ConflictError } from '../platform/problem.ts';
import { adjustStock, belowReserved, countStock } from './adjustments.ts';
import { readAvailability } from './availability.ts';
import { listMovements } from './movements.ts';
import { actorOf, idempotencyHeader } from './route-context.ts';
import {
  adjustmentSchema,
  countResultSchema,
  createWarehouseSchema,
  movementQuery,
  movementSchema,
  reorderSchema,
  stockCountSchema,
  stockLevelSchema,
  stockQuery,
  warehouseSchema,
} from './schemas.ts';
import { listStock, setReorder, withOnOrder } from './stock.ts';
import { transferRoutes } from './transfer-routes.ts';
import { createWarehouse, getWarehouse, listWarehouses } from './warehouses.ts';

const tags = ['inventory'];
const belowReservedExample = belowReserved([
  { warehouseId: exampleIds.warehouse, sku: 'HAM-16OZ', onHand: 40, reserved: 36, delta: -12 },
]);

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
  ...secured('stock:adjust', idempotent()),
  request: { headers: idempotencyHeader, body: jsonBody(stockCountSchema) },
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
        onOrder: z
          .number()
          .int()
          .optional()
          .openapi({ description: 'On submitted purchase orders, not yet received', example: 48 }),
        nextExpectedAt: z.string().nullable().optional().openapi({ example: '2026-01-22T09:30:00.000Z' }),
      }),
    ),
    available: z.number().int().openapi({ description: 'The sum over the warehouses listed', example: 34 }),
    onOrder: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'On order over the warehouses listed', example: 48 }),
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
    'Available stock per warehouse in your scope and in all, with what is on submitted purchase orders (onOrder) and when the next is expected; a warehouse where the sku is on order but has no level yet is listed with nothing on hand. With an access token the edge answers from the warehouse rooms (live, no database call), which follow purchase orders too; API keys are answered by core.',
  ...secured('availability:read'),
  request: { params: z.object({ sku: z.string().min(1).max(64).openapi({ example: 'HAM-16OZ' }) }) },
  responses: {
    200: jsonContent(availabilitySchema, 'Availability per warehouse and in all'),
    ...authProblems,
    ...problemResponses(422),
  },
});

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
    const page = await listStock(c.var.db, id, c.req.valid('query'));
    return c.json({ ...page, items: await withOnOrder(c.var.db.$client, id, page.items) }, 200);
  })
  .openapi(reorderRoute, async (c) => {
    const { id, sku } = c.req.valid('param');
    assertMay(c.var.principal, 'stock:reorder', id);
    await getWarehouse(c.var.db, id);
    const level = await setReorder(c.var.db, id, sku, c.req.valid('json'));
    const [withOrders] = await withOnOrder(c.var.db.$client, id, [level]);
    return c.json(withOrders ?? { ...level, onOrder: 0, nextExpectedAt: null }, 200);
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
  .route('/', transferRoutes);
