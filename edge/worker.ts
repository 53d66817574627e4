import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createOpenApiRouter, handleErrors, type RequestEnv, requestLogging } from '../core/platform/http.ts';
import { createLogger, type Logger } from '../core/platform/logger.ts';
import { AppError, NotFoundError, ValidationError } from '../core/platform/problem.ts';
import { fieldErrors } from '../core/platform/validation.ts';
import { publicPaths, serviceForPath } from '../core/services.ts';
import { roomAccessChangeSchema } from '../jobs/payloads.ts';
import { refuseWithoutCredentials, refuseWithoutInternalSecret, verifyAccessToken } from './auth.ts';
import { availabilityAtEdge, warehouseDirectory } from './availability.ts';
import {
  catalogGenerationObject,
  forgetGeneration,
  listProductsAtEdge,
  readBarcodeAtEdge,
  readProductAtEdge,
} from './catalog.ts';
import { docsPage } from './docs-page.ts';
import { type EdgeBindings, edgeConfig, serviceUrl } from './env.ts';
import { forwardRequest } from './gateway.ts';
import { checkHealth, healthRoute } from './health.ts';
import { mergedOpenApi } from './openapi.ts';
import { socketAccess } from './room-access.ts';

export { CatalogGeneration } from './catalog-generation.ts';
export { WarehouseStockRoom } from './warehouse-stock-room.ts';

type EdgeEnv = RequestEnv & { Bindings: EdgeBindings };

const loggers = new Map<string, Logger>();
/** The edge logger at the configured LOG_LEVEL (bindings are only known per request). */
function edgeLogger(env: EdgeBindings): Logger {
  const level = edgeConfig(env).LOG_LEVEL;
  const known = loggers.get(level);
  if (known) return known;
  const log = createLogger({ service: 'edge' }, level);
  loggers.set(level, log);
  return log;
}

const app = createOpenApiRouter<EdgeEnv>();

app.use((c, next) => requestLogging<EdgeEnv>(edgeLogger(c.env))(c, next));

app.openapi(healthRoute, async (c) => {
  const body = await checkHealth({
    cfg: edgeConfig(c.env),
    rooms: c.env.WAREHOUSE_ROOMS,
    requestId: c.var.requestId,
    log: c.var.log,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  });
  return c.json(body, 200);
});

const openApiRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  tags: ['meta'],
  summary: 'This document: the OpenAPI 3.1 description of the whole API',
  responses: {
    200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: z.object({}) } } },
  },
});

app.openapi(openApiRoute, async (c) => {
  const edgeDoc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Varastokkr API',
      version: '1',
      description:
        'Inventory management: product catalog, stock per warehouse with an exact ledger, orders that never oversell, purchasing, transfers, live warehouse rooms. Errors are RFC 9457 problem+json.',
    },
  });
  return c.json(await mergedOpenApi(edgeConfig(c.env), edgeDoc as never, c.var.requestId), 200);
});

app.get('/docs', (c) => c.html(docsPage));

// Catalog reads the worker answers itself, from Postgres and the Cache API.
const forwardedSkus = new Set(['export', 'import', 'labels']);

app.get('/api/products', async (c) => {
  const cfg = edgeConfig(c.env);
  return listProductsAtEdge(c, cfg, await refuseWithoutCredentials(cfg, c.req.raw.headers));
});
app.get('/api/products/:sku', async (c) => {
  const sku = c.req.param('sku');
  if (forwardedSkus.has(sku)) return forwardToService(c);
  const cfg = edgeConfig(c.env);
  return readProductAtEdge(c, cfg, await refuseWithoutCredentials(cfg, c.req.raw.headers), sku);
});
// Availability from the warehouse rooms; an API key (whose scope only core knows) goes to core.
app.get('/api/products/:sku/availability', async (c) => {
  const cfg = edgeConfig(c.env);
  const caller = await refuseWithoutCredentials(cfg, c.req.raw.headers);
  if (caller.kind !== 'token') return forwardToService(c);
  const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
  const scope = await verifyAccessToken(cfg, token);
  const sku = c.req.param('sku');
  if (sku.length > 64) throw new ValidationError([{ path: 'sku', message: 'At most 64 characters' }]);
  const request = { env: c.env, waitUntil: (p: Promise<unknown>) => c.executionCtx.waitUntil(p) };
  return c.json(await availabilityAtEdge(request, cfg, scope, sku), 200, {
    'cache-control': 'private, no-store',
  });
});
app.get('/api/barcodes/:code', async (c) => {
  const cfg = edgeConfig(c.env);
  return readBarcodeAtEdge(
    c,
    cfg,
    await refuseWithoutCredentials(cfg, c.req.raw.headers),
    c.req.param('code'),
  );
});

// Called by the jobs runner after product.* events; not part of the public API.
app.post('/internal/catalog/purge', async (c) => {
  await refuseWithoutInternalSecret(edgeConfig(c.env), c.req.header('authorization'));
  const generation = await catalogGenerationObject(c.env).bump();
  forgetGeneration();
  return c.json({ generation }, 200);
});

// The warehouse rooms' feed, called by the jobs runner; not part of the public API.
const levelUpdateSchema = z.object({
  levels: z
    .array(
      z.object({
        sku: z.string().min(1).max(64),
        onHand: z.number().int().min(0),
        reserved: z.number().int().min(0),
        version: z.number().int().min(1),
        fromVersion: z.number().int().min(0).optional(),
      }),
    )
    .max(5000),
});
const roomFor = (c: Context<EdgeEnv>, warehouseId: string) =>
  c.env.WAREHOUSE_ROOMS.get(c.env.WAREHOUSE_ROOMS.idFromName(warehouseId));

app.post('/internal/warehouses/:id/levels', async (c) => {
  await refuseWithoutInternalSecret(edgeConfig(c.env), c.req.header('authorization'));
  const parsed = levelUpdateSchema.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues));
  return c.json(await roomFor(c, c.req.param('id')).pushLevels(parsed.data.levels, c.req.param('id')), 200);
});
const roomEventSchema = z.object({
  event: z.object({
    id: z.string().min(1).max(100),
    type: z.string().regex(/^(order\.[a-z_]+|transfer\.updated)$/),
    occurredAt: z.string().max(40),
    data: z.record(z.string(), z.unknown()),
  }),
});
app.post('/internal/warehouses/:id/events', async (c) => {
  await refuseWithoutInternalSecret(edgeConfig(c.env), c.req.header('authorization'));
  const parsed = roomEventSchema.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues));
  const { id, type, occurredAt, data } = parsed.data.event;
  const sockets = await roomFor(c, c.req.param('id')).broadcastEvent({
    event: type,
    id,
    occurredAt,
    warehouseId: c.req.param('id'),
    data,
  });
  return c.json({ sockets }, 200);
});
app.post('/internal/warehouses/:id/reconcile', async (c) => {
  await refuseWithoutInternalSecret(edgeConfig(c.env), c.req.header('authorization'));
  const parsed = levelUpdateSchema
    .extend({ force: z.boolean().default(false) })
    .safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues));
  const { levels, force } = parsed.data;
  return c.json(await roomFor(c, c.req.param('id')).reconcile(c.req.param('id'), levels, force), 200);
});
app.post('/internal/warehouses/:id/resync', async (c) => {
  await refuseWithoutInternalSecret(edgeConfig(c.env), c.req.header('authorization'));
  return c.json(await roomFor(c, c.req.param('id')).resync(c.req.param('id')), 200);
});
app.get('/internal/warehouses/:id/snapshot', async (c) => {
  await refuseWithoutInternalSecret(edgeConfig(c.env), c.req.header('authorization'));
  return c.json(await roomFor(c, c.req.param('id')).snapshot(c.req.param('id')), 200);
});

/**
 * A change of who may hold room sockets (identity, through the jobs runner): every warehouse
 * room closes or re-scopes the sockets it concerns. Rooms are asked a few at a time.
 */
app.post('/internal/rooms/access', async (c) => {
  const cfg = edgeConfig(c.env);
  await refuseWithoutInternalSecret(cfg, c.req.header('authorization'));
  const parsed = roomAccessChangeSchema.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues));
  const request = { env: c.env, waitUntil: (p: Promise<unknown>) => c.executionCtx.waitUntil(p) };
  const warehouses = await warehouseDirectory(request, cfg);
  const total = { rooms: warehouses.length, closed: 0, rescoped: 0 };
  for (let i = 0; i < warehouses.length; i += 25) {
    const results = await Promise.all(
      warehouses.slice(i, i + 25).map((w) => roomFor(c, w.id).applyAccessChange(parsed.data)),
    );
    for (const r of results) {
      total.closed += r.closed;
      total.rescoped += r.rescoped;
    }
  }
  return c.json(total, 200);
});

/**
 * Live warehouse rooms: before the upgrade, the caller is checked with core (a disabled user,
 * a logged-out session or a revoked key is refused even with an unexpired credential) and asked
 * the same policy as GET /api/warehouses/:id/stock. Browsers send an access token (?token= or
 * the protocol bearer.<token>); other clients may send X-API-Key, which never expires but is
 * closed when revoked.
 */
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
app.get('/ws/warehouses/:id', async (c) => {
  const id = c.req.param('id');
  if (!uuidPattern.test(id)) throw new NotFoundError('No such warehouse room.');
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
    throw new AppError(426, 'upgrade-required', 'Upgrade required', 'Connect with a WebSocket.');
  const fromProtocol = c.req
    .header('sec-websocket-protocol')
    ?.split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith('bearer.'))
    ?.slice('bearer.'.length);
  const token = c.req.query('token') ?? fromProtocol;
  const credentials = { token, apiKey: token ? undefined : c.req.header('x-api-key') };
  const access = await socketAccess(edgeConfig(c.env), credentials, id, c.var.requestId);
  const headers = new Headers(c.req.raw.headers);
  headers.set('x-warehouse-id', id);
  headers.set('x-room-access', JSON.stringify(access));
  if (fromProtocol) headers.set('sec-websocket-protocol', `bearer.${fromProtocol}`);
  return roomFor(c, id).fetch(new Request(c.req.raw, { headers }));
});

// The gateway: every API path goes to the core process that runs its service.
app.all('/api/*', (c) => forwardToService(c));
app.all('/.well-known/*', (c) => forwardToService(c));

async function forwardToService(c: Context<EdgeEnv>) {
  const service = serviceForPath(c.req.path);
  if (!service) throw new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`);
  const cfg = edgeConfig(c.env);
  if (!publicPaths.includes(c.req.path)) await refuseWithoutCredentials(cfg, c.req.raw.headers);
  return forwardRequest(c.req.raw, serviceUrl(cfg, service), {
    requestId: c.var.requestId,
    timeoutMs: cfg.GATEWAY_TIMEOUT_MS,
    clientIp: c.req.header('cf-connecting-ip'),
    signingSecret: cfg.EDGE_SIGNING_SECRET,
  });
}

handleErrors(app, createLogger({ service: 'edge' }));

export default app;
