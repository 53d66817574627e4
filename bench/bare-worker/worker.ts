/**
 * The bare references on the same workerd: for `bun run bench catalog`, a Hono handler answering
 * a product-sized JSON body from memory (no auth, no cache lookup, no database); for `bun run
 * bench orders`, every other /api/* and /.well-known/* request passed to CORE_URL as it came (no auth check, no
 * header work, no signature, no logging): what the hop through wrangler dev costs by itself.
 */
import { Hono } from 'hono';

const product = JSON.stringify({
  id: '0b9c5d1e-8a4f-4e7b-9a3c-2d1f0e6b7a58',
  sku: 'HAM-16OZ',
  name: 'Claw hammer 16 oz',
  description: null,
  barcode: '6414893012340',
  category: 'tools',
  unit: 'each',
  price: { amount: 1299, currency: 'EUR' },
  attributes: {},
  archived: false,
  version: 1,
  createdAt: '2026-11-24T00:00:00.000Z',
  updatedAt: '2026-11-24T00:00:00.000Z',
});

function passOn(req: Request, coreUrl: string | undefined): Promise<Response> {
  const url = new URL(req.url);
  return fetch(new URL(url.pathname + url.search, coreUrl), req);
}

export default new Hono<{ Bindings: { CORE_URL?: string } }>()
  .get('/api/products/:sku', (c) => c.body(product, 200, { 'content-type': 'application/json', etag: '"1"' }))
  .all('/api/*', (c) => passOn(c.req.raw, c.env.CORE_URL))
  .all('/.well-known/*', (c) => passOn(c.req.raw, c.env.CORE_URL));
