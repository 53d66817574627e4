/**
 * The bare references on the same workerd: for `bun run bench catalog`, a Hono handler answering
 * a product-sized JSON body from memory (no auth, no cache lookup, no database); for `bun run
 * bench orders`, every other /api/* and /.well-known/* request passed to CORE_URL as it came (no auth check, no
 * header work, no signature, no logging): what the hop through wrangler dev costs by itself; for
 * `bun run bench feed`, the rooms' feed socket reduced to what any feed needs: each tick parsed,
 * one call per room to a Durable Object that writes each level's version to its SQLite, and the
 * answer (no secret check, no validation, no resume log, no broadcast).
 */
import { DurableObject } from 'cloudflare:workers';
import { Hono } from 'hono';

interface BareTick {
  id: number;
  rooms: { warehouseId: string; levels: { sku: string; version: number }[] }[];
}

export class BareRoom extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS level (sku TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  }

  apply(levels: { sku: string; version: number }[]): { applied: number; stale: number; held: number } {
    for (const l of levels)
      this.ctx.storage.sql.exec(
        'INSERT INTO level (sku, version) VALUES (?, ?) ON CONFLICT (sku) DO UPDATE SET version = excluded.version',
        l.sku,
        l.version,
      );
    return { applied: levels.length, stale: 0, held: 0 };
  }
}

type Env = { CORE_URL?: string; BARE_ROOMS: DurableObjectNamespace<BareRoom> };

async function answerBareTick(env: Env, ws: WebSocket, data: string): Promise<void> {
  const tick = JSON.parse(data) as BareTick;
  const rooms = await Promise.all(
    tick.rooms.map(async (r) => ({
      warehouseId: r.warehouseId,
      ...(await env.BARE_ROOMS.get(env.BARE_ROOMS.idFromName(r.warehouseId)).apply(r.levels)),
    })),
  );
  ws.send(JSON.stringify({ id: tick.id, rooms }));
}

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

export default new Hono<{ Bindings: Env }>()
  .get('/internal/rooms/feed', (c) => {
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    server.accept();
    server.addEventListener(
      'message',
      (m: MessageEvent) => void answerBareTick(c.env, server, m.data as string),
    );
    return new Response(null, { status: 101, webSocket: client });
  })
  .get('/api/products/:sku', (c) => c.body(product, 200, { 'content-type': 'application/json', etag: '"1"' }))
  .all('/api/*', (c) => passOn(c.req.raw, c.env.CORE_URL))
  .all('/.well-known/*', (c) => passOn(c.req.raw, c.env.CORE_URL));
