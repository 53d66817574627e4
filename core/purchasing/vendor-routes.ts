/** The vendor routes: /api/vendors/*, who we buy from and on what terms. */
import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app-env.ts';
import { skuSchema } from '../catalog/schemas.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageQuery, pageSchema } from '../platform/pagination.ts';
import {
  createVendorSchema,
  putSupplierItemSchema,
  supplierItemSchema,
  updateVendorSchema,
  vendorParam,
  vendorQuery,
  vendorSchema,
} from './schemas.ts';
import {
  createVendor,
  getVendor,
  listSupplierItems,
  listVendors,
  putSupplierItem,
  updateVendor,
} from './vendors.ts';

const tags = ['purchasing'];

const createVendorRoute = createRoute({
  method: 'post',
  path: '/api/vendors',
  operationId: 'createVendor',
  tags,
  summary: 'Add a vendor (admins and managers)',
  description:
    'A vendor we buy from: its currency (ISO 4217, EUR by default) and lead time in days (7 by default), which purchase orders take their expected date from. Admins and managers.',
  ...secured('vendors:write'),
  request: { body: jsonBody(createVendorSchema) },
  responses: {
    201: jsonContent(vendorSchema, 'The new vendor'),
    ...authProblems,
    ...problemResponses(400, 413, 415, 422),
  },
});

const listVendorsRoute = createRoute({
  method: 'get',
  path: '/api/vendors',
  operationId: 'listVendors',
  tags,
  summary: 'Vendors, by name',
  description: 'Every vendor, by name, a page at a time; `active=true` only those still bought from. Staff.',
  ...secured('vendors:read'),
  request: { query: vendorQuery },
  responses: {
    200: jsonContent(pageSchema(vendorSchema), 'A page of vendors'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const readVendorRoute = createRoute({
  method: 'get',
  path: '/api/vendors/{id}',
  operationId: 'getVendor',
  tags,
  summary: 'Read a vendor',
  description: 'One vendor by id. Staff.',
  ...secured('vendors:read'),
  request: { params: vendorParam },
  responses: {
    200: jsonContent(vendorSchema, 'The vendor'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const updateVendorRoute = createRoute({
  method: 'patch',
  path: '/api/vendors/{id}',
  operationId: 'updateVendor',
  tags,
  summary: 'Change a vendor (admins and managers)',
  description:
    'Changes only the fields sent. `active: false` keeps the vendor and its history but no new purchase order can be made for it. Admins and managers.',
  ...secured('vendors:write'),
  request: { params: vendorParam, body: jsonBody(updateVendorSchema) },
  responses: {
    200: jsonContent(vendorSchema, 'The vendor'),
    ...authProblems,
    ...problemResponses(400, 404, 415, 422),
  },
});

const putItemRoute = createRoute({
  method: 'put',
  path: '/api/vendors/{id}/items/{sku}',
  operationId: 'putSupplierItem',
  tags,
  summary: 'Set what a vendor sells of a sku, and on what terms',
  description:
    "The vendor's own sku, unit cost (minor units of the vendor's currency), minimum order quantity, pack size and a lead time that overrides the vendor's. Fields left out keep their value (defaults: 1, 1, none). 201 when new. Admins and managers.",
  ...secured('vendors:write'),
  request: {
    params: z.object({ id: vendorParam.shape.id, sku: skuSchema }),
    body: jsonBody(putSupplierItemSchema),
  },
  responses: {
    200: jsonContent(supplierItemSchema, 'The supplier item, changed'),
    201: jsonContent(supplierItemSchema, 'The supplier item, new'),
    ...authProblems,
    ...problemResponses(400, 404, 415, 422),
  },
});

const listItemsRoute = createRoute({
  method: 'get',
  path: '/api/vendors/{id}/items',
  operationId: 'listSupplierItems',
  tags,
  summary: "A vendor's supplier items, by sku",
  description: 'What the vendor sells us and on what terms, by sku, a page at a time. Staff.',
  ...secured('vendors:read'),
  request: { params: vendorParam, query: pageQuery },
  responses: {
    200: jsonContent(pageSchema(supplierItemSchema), 'A page of supplier items'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

export const vendorRoutes = createRouter()
  .openapi(createVendorRoute, async (c) => c.json(await createVendor(c.var.db, c.req.valid('json')), 201))
  .openapi(listVendorsRoute, async (c) => c.json(await listVendors(c.var.db, c.req.valid('query')), 200))
  .openapi(readVendorRoute, async (c) => c.json(await getVendor(c.var.db, c.req.valid('param').id), 200))
  .openapi(updateVendorRoute, async (c) =>
    c.json(await updateVendor(c.var.db, c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(putItemRoute, async (c) => {
    const { id, sku } = c.req.valid('param');
    const { item, created } = await putSupplierItem(c.var.db, id, sku, c.req.valid('json'));
    return created ? c.json(item, 201) : c.json(item, 200);
  })
  .openapi(listItemsRoute, async (c) =>
    c.json(await listSupplierItems(c.var.db, c.req.valid('param').id, c.req.valid('query')), 200),
  );
