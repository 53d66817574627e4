import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../platform/http.ts';
import { jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageQuery, pageSchema } from '../platform/pagination.ts';
import { createWarehouseSchema, warehouseSchema } from './schemas.ts';
import { createWarehouse, listWarehouses } from './warehouses.ts';

const createWarehouseRoute = createRoute({
  method: 'post',
  path: '/api/warehouses',
  tags: ['inventory'],
  summary: 'Create a warehouse',
  request: { body: jsonBody(createWarehouseSchema) },
  responses: {
    201: jsonContent(warehouseSchema, 'The new warehouse'),
    ...problemResponses(400, 409, 413, 415, 422),
  },
});

const listWarehousesRoute = createRoute({
  method: 'get',
  path: '/api/warehouses',
  tags: ['inventory'],
  summary: 'List warehouses by code',
  request: { query: pageQuery },
  responses: {
    200: jsonContent(pageSchema(warehouseSchema), 'A page of warehouses'),
    ...problemResponses(422),
  },
});

export const inventoryRoutes = createRouter()
  .openapi(createWarehouseRoute, async (c) => {
    const warehouse = await createWarehouse(c.var.db, c.req.valid('json'), c.var.requestId);
    return c.json(warehouse, 201);
  })
  .openapi(listWarehousesRoute, async (c) =>
    c.json(await listWarehouses(c.var.db, c.req.valid('query')), 200),
  );
