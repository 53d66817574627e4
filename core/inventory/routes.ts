import { createRoute, z } from '@hono/zod-openapi';
import { authProblems, secured } from '../identity/authorize.ts';
import { assertMay, warehouseScope } from '../identity/policy.ts';
import { createRouter } from '../platform/app-env.ts';
import { jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageQuery, pageSchema } from '../platform/pagination.ts';
import { readAvailability } from './availability.ts';
import { createWarehouseSchema, warehouseSchema } from './schemas.ts';
import { createWarehouse, getWarehouse, listWarehouses } from './warehouses.ts';

const createWarehouseRoute = createRoute({
  method: 'post',
  path: '/api/warehouses',
  tags: ['inventory'],
  summary: 'Create a warehouse (admin)',
  ...secured('warehouses:create'),
  request: { body: jsonBody(createWarehouseSchema) },
  responses: {
    201: jsonContent(warehouseSchema, 'The new warehouse'),
    ...authProblems,
    ...problemResponses(400, 409, 413, 415, 422),
  },
});

const listWarehousesRoute = createRoute({
  method: 'get',
  path: '/api/warehouses',
  tags: ['inventory'],
  summary: 'List the warehouses in your scope, by code',
  ...secured('warehouses:read'),
  request: { query: pageQuery },
  responses: {
    200: jsonContent(pageSchema(warehouseSchema), 'A page of warehouses'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const readWarehouseRoute = createRoute({
  method: 'get',
  path: '/api/warehouses/{id}',
  tags: ['inventory'],
  summary: 'Read a warehouse in your scope',
  ...secured('warehouses:read'),
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: jsonContent(warehouseSchema, 'The warehouse'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const availabilitySchema = z
  .object({
    sku: z.string(),
    warehouses: z.array(
      z.object({
        warehouseId: z.string(),
        code: z.string(),
        onHand: z.number().int(),
        reserved: z.number().int(),
        available: z.number().int(),
        version: z.number().int(),
      }),
    ),
    available: z.number().int().openapi({ description: 'The sum over the warehouses listed' }),
  })
  .openapi('Availability');

const availabilityRoute = createRoute({
  method: 'get',
  path: '/api/products/{sku}/availability',
  tags: ['inventory'],
  summary: 'What can be sold of a sku, per warehouse in your scope',
  ...secured('availability:read'),
  request: { params: z.object({ sku: z.string().min(1).max(64) }) },
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
  .openapi(availabilityRoute, async (c) => {
    const { sku } = c.req.valid('param');
    return c.json(await readAvailability(c.var.db.$client, sku, warehouseScope(c.var.principal)), 200);
  });
