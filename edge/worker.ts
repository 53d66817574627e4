import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createOpenApiRouter, handleErrors, type RequestEnv, requestLogging } from '../core/platform/http.ts';
import { createLogger, type Logger } from '../core/platform/logger.ts';
import {
  AppError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../core/platform/problem.ts';
import { fieldErrors } from '../core/platform/validation.ts';
import { publicPaths, serviceForPath } from '../core/services.ts';
import { refuseWithoutCredentials, refuseWithoutInternalSecret, verifyAccessToken } from './auth.ts';
import { availabilityAtEdge } from './availability.ts';
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

// Live warehouse rooms: the token and the warehouse scope are checked before the upgrade.
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
  if (!token) throw new UnauthorizedError('Send the access token as ?token= or the protocol bearer.<token>.');
  const caller = await verifyAccessToken(edgeConfig(c.env), token);
  if (!caller.roles.includes('admin') && !caller.warehouseIds.includes(id))
    throw new ForbiddenError('This warehouse is outside your scope.');
  const headers = new Headers(c.req.raw.headers);
  headers.set('x-warehouse-id', id);
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
