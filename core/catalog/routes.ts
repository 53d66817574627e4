import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { createRouter } from '../app-env.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { mayAttempt } from '../identity/policy.ts';
import { etagFor, ifNoneMatchHits, parseIfMatch } from '../platform/etag.ts';
import { jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageSchema } from '../platform/pagination.ts';
import { ConflictError, NotFoundError, PreconditionRequiredError } from '../platform/problem.ts';
import { IMPORT_COLUMNS, importProductsCsv, importSummarySchema } from './csv.ts';
import { exportProductsCsv } from './csv-export.ts';
import { listProducts, type ProductAudience, productFromRow, readProductByBarcode } from './product-reads.ts';
import { archiveProduct, createProduct, getProduct, updateProduct } from './products.ts';
import {
  createProductSchema,
  listProductsQuery,
  productSchema,
  skuParam,
  skuSchema,
  updateProductSchema,
} from './schemas.ts';

const tags = ['catalog'];
const duplicateSku = new ConflictError(
  'A product with sku HAM-16OZ exists already (archived products keep their sku; restore it with PATCH {"archived": false}).',
  'duplicate-sku',
  { field: 'sku' },
);
const duplicateBarcode = new ConflictError(
  'Another product has the barcode 6414893012340.',
  'duplicate-barcode',
  {
    field: 'barcode',
  },
);
// One product in the import/export columns (prices in major units, attributes as JSON).
const csvExample = `${IMPORT_COLUMNS.join(',')}\nHAM-16OZ,Claw hammer 16 oz,Steel claw hammer,6414893012340,tools,each,12.99,6.40,EUR,"{""size"":""M""}",false\n`;
const csvSchema = z.string().openapi({ example: csvExample });
const svgSchema = z.string().openapi({
  example:
    '<svg xmlns="http://www.w3.org/2000/svg" width="50mm" height="25mm" viewBox="0 0 50 25"><text x="2" y="22">HAM-16OZ</text></svg>',
});
// Media-type examples are strings, so a PNG's bytes are described, not shown.
const pngSchema = z.string().openapi({ format: 'binary', example: '(PNG image bytes)' });
const audienceOf = (c: Context<AppEnv>): ProductAudience => ({
  withCost: mayAttempt(c.var.principal, 'catalog:cost'),
});
/** Product reads depend on who asks (cost prices): private, revalidated with the ETag. */
const readHeaders = (version?: number) => ({
  'cache-control': 'private, no-cache',
  vary: 'Authorization, X-API-Key',
  ...(version === undefined ? {} : { etag: etagFor(version) }),
});

const createProductRoute = createRoute({
  method: 'post',
  path: '/api/products',
  operationId: 'createProduct',
  tags,
  summary: 'Create a product',
  description:
    "Adds an active product to the catalog. The sku is unique (409 when taken) and never changes; `unit` defaults to `each` and `attributes` to `{}`. The ETag response header is the product's version, to send back as If-Match. Admins and managers.",
  ...secured('catalog:write'),
  request: { body: jsonBody(createProductSchema) },
  responses: {
    201: jsonContent(productSchema, 'The new product (ETag header: its version)'),
    ...authProblems,
    ...problemResponses(400, duplicateSku, 413, 415, 422),
  },
});

// Also answered by the edge (edge/routes/products.ts) from the same SQL (core answers calls made to it directly).
const listProductsRoute = createRoute({
  method: 'get',
  path: '/api/products',
  operationId: 'listProducts',
  tags,
  summary: 'List or search active products (served at the edge)',
  description:
    '`q` matches sku, name and barcode: exact matches first, then prefixes, substrings and fuzzy (trigram) matches; by sku within each.',
  ...secured('catalog:read'),
  request: { query: listProductsQuery },
  responses: {
    200: jsonContent(pageSchema(productSchema), 'A page of products'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/api/products/export',
  operationId: 'exportProducts',
  tags,
  summary: 'Every product as CSV, streamed (admins and managers)',
  description: `Columns: ${IMPORT_COLUMNS.join(', ')}. The same file imports back unchanged.`,
  ...secured('catalog:cost'),
  responses: {
    200: { description: 'RFC 4180 CSV', content: { 'text/csv': { schema: csvSchema } } },
    ...authProblems,
  },
});

const importRoute = createRoute({
  method: 'post',
  path: '/api/products/import',
  operationId: 'importProducts',
  tags,
  summary: 'Create or update products from CSV, by sku',
  description: `Columns (header row required; sku and name required): ${IMPORT_COLUMNS.join(', ')}. Streamed and applied in batches, one transaction each; bad lines are reported with their line numbers and the good ones kept.`,
  ...secured('catalog:write'),
  request: {
    body: { required: true, content: { 'text/csv': { schema: csvSchema } } },
  },
  responses: {
    200: jsonContent(importSummarySchema, 'What was created, updated and refused'),
    ...authProblems,
    ...problemResponses(413, 415, 422),
  },
});

/** The one URL whose body is streamed past the app's body limit (core/app.ts). */
export const IMPORT_PATH = importRoute.path;

const labelSheetRoute = createRoute({
  method: 'post',
  path: '/api/products/labels',
  operationId: 'printLabelSheet',
  tags,
  summary: 'A printable A4 sheet of labels (SVG) for many skus (admins and managers)',
  description:
    'Up to 240 labels, drawn off the request loop by a bounded pool: 503 with Retry-After when it is full.',
  ...secured('catalog:write'),
  request: {
    body: jsonBody(
      z
        .object({
          skus: z.array(skuSchema).min(1).max(240),
          symbology: z.enum(['code128', 'qrcode', 'ean13']).default('code128'),
        })
        .strict(),
    ),
  },
  responses: {
    200: { description: 'SVG pages', content: { 'image/svg+xml': { schema: svgSchema } } },
    ...authProblems,
    ...problemResponses(400, 404, 415, 422, 503),
  },
});

// Also answered by the edge (edge/routes/products.ts) from the same SQL (core answers calls made to it directly).
const readProductRoute = createRoute({
  method: 'get',
  path: '/api/products/{sku}',
  operationId: 'getProduct',
  tags,
  summary: 'Read a product by sku, archived ones too (served at the edge; ETag, If-None-Match)',
  description:
    'Any role. Cost prices are shown to admins and managers only. Send the ETag you hold as If-None-Match to get 304 when the product has not changed.',
  ...secured('catalog:read'),
  request: { params: skuParam },
  responses: {
    200: jsonContent(productSchema, 'The product'),
    304: { description: 'Not modified since the ETag you sent' },
    ...authProblems,
    ...problemResponses(404),
  },
});

const ifMatchHeader = z.object({
  'if-match': z.string().max(1024).optional().openapi({ description: 'The ETag you read', example: '"3"' }),
});

const updateProductRoute = createRoute({
  method: 'patch',
  path: '/api/products/{sku}',
  operationId: 'updateProduct',
  tags,
  summary: 'Change a product (If-Match required; 412 if it changed since you read it)',
  description:
    'Changes only the fields sent (at least one). If-Match must carry the ETag you read: 428 without it, 412 when the product changed since. `archived: false` restores an archived product. Admins and managers.',
  ...secured('catalog:write'),
  request: { params: skuParam, headers: ifMatchHeader, body: jsonBody(updateProductSchema) },
  responses: {
    200: jsonContent(productSchema, 'The product as changed'),
    ...authProblems,
    ...problemResponses(400, 404, duplicateBarcode, 412, 413, 415, 422, 428),
  },
});

const archiveProductRoute = createRoute({
  method: 'delete',
  path: '/api/products/{sku}',
  operationId: 'archiveProduct',
  tags,
  summary: 'Archive a product: it leaves listings and cannot be ordered, but stays readable',
  description:
    'Archived products leave listings and searches and cannot be ordered; reading one by sku still works, and PATCH with `archived: false` restores it. If-Match is optional here: when sent, 412 if the product changed. Admins and managers.',
  ...secured('catalog:write'),
  request: { params: skuParam, headers: ifMatchHeader },
  responses: {
    204: { description: 'Archived (or already archived)' },
    ...authProblems,
    ...problemResponses(404, 412, 422),
  },
});

const labelRoute = createRoute({
  method: 'get',
  path: '/api/products/{sku}/label',
  operationId: 'getProductLabel',
  tags,
  summary: 'A label with the barcode, sku and name, as SVG or PNG',
  description: 'Drawn off the request loop by a bounded pool: 503 with Retry-After when it is full.',
  ...secured('catalog:read'),
  request: {
    params: skuParam,
    query: z.object({
      format: z.enum(['svg', 'png']).default('svg'),
      symbology: z.enum(['code128', 'qrcode', 'ean13']).default('code128'),
    }),
  },
  responses: {
    200: {
      description: 'The label',
      content: { 'image/svg+xml': { schema: svgSchema }, 'image/png': { schema: pngSchema } },
    },
    ...authProblems,
    ...problemResponses(404, 422, 503),
  },
});

// Also answered by the edge (edge/routes/barcodes.ts) from the same SQL (core answers calls made to it directly).
const barcodeRoute = createRoute({
  method: 'get',
  path: '/api/barcodes/{code}',
  operationId: 'getProductByBarcode',
  tags,
  summary: 'The product a scanned code belongs to (served at the edge)',
  description:
    'GTINs match in any of their lengths (a UPC-A finds the product whose barcode is the same code as EAN-13). A product without a barcode is found by the sku its label carries.',
  ...secured('catalog:read'),
  request: { params: z.object({ code: z.string().min(1).max(64).openapi({ example: '6414893012340' }) }) },
  responses: {
    200: jsonContent(productSchema, 'The product'),
    ...authProblems,
    ...problemResponses(404),
  },
});

export const catalogRoutes = createRouter()
  .openapi(createProductRoute, async (c) => {
    const product = await createProduct(c.var.db, c.req.valid('json'), audienceOf(c), c.var.requestId);
    return c.json(product, 201, { etag: etagFor(product.version) });
  })
  .openapi(listProductsRoute, async (c) =>
    c.json(await listProducts(c.var.db.$client, c.req.valid('query'), audienceOf(c)), 200, readHeaders()),
  )
  .openapi(exportRoute, (c) =>
    c.body(exportProductsCsv(c.var.db.$client), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="products.csv"',
    }),
  )
  .openapi(importRoute, async (c) => {
    const summary = await importProductsCsv(c.var.db, c.req.raw, c.var.importMaxBytes, {
      requestId: c.var.requestId,
    });
    return c.json(summary, 200);
  })
  .openapi(labelSheetRoute, async (c) => {
    const { skus, symbology } = c.req.valid('json');
    const found = await Promise.all(skus.map((sku) => getProduct(c.var.db, sku, { withCost: false })));
    const svg = await c.var.labels.sheet(found, { symbology });
    return c.body(svg, 200, { 'content-type': 'image/svg+xml; charset=utf-8' });
  })
  .openapi(readProductRoute, async (c) => {
    const product = await getProduct(c.var.db, c.req.valid('param').sku, audienceOf(c));
    if (ifNoneMatchHits(c.req.header('if-none-match'), product.version))
      return c.body(null, 304, readHeaders(product.version));
    return c.json(product, 200, readHeaders(product.version));
  })
  .openapi(updateProductRoute, async (c) => {
    const expected = parseIfMatch(c.req.valid('header')['if-match']);
    if (expected === null) throw new PreconditionRequiredError();
    const { sku } = c.req.valid('param');
    const product = await updateProduct(
      c.var.db,
      sku,
      expected,
      c.req.valid('json'),
      audienceOf(c),
      c.var.requestId,
    );
    return c.json(product, 200, { etag: etagFor(product.version) });
  })
  .openapi(archiveProductRoute, async (c) => {
    const expected = parseIfMatch(c.req.valid('header')['if-match']) ?? 'any';
    await archiveProduct(c.var.db, c.req.valid('param').sku, expected, c.var.requestId);
    return c.body(null, 204);
  })
  .openapi(labelRoute, async (c) => {
    const { format, symbology } = c.req.valid('query');
    const product = await getProduct(c.var.db, c.req.valid('param').sku, { withCost: false });
    const label = await c.var.labels.label(product, { format, symbology });
    return c.body(label.body, 200, {
      'content-type': label.contentType,
      'cache-control': 'private, no-cache',
    });
  })
  .openapi(barcodeRoute, async (c) => {
    const row = await readProductByBarcode(c.var.db.$client, c.req.valid('param').code);
    if (!row) throw new NotFoundError('No product has this barcode.');
    const product = productFromRow(row, audienceOf(c));
    return c.json(product, 200, readHeaders(product.version));
  });
