/**
 * Catalog reads answered by the worker itself: GET /api/products, /api/products/:sku and
 * /api/barcodes/:code read Postgres through the Neon driver (the same SQL as core, from
 * core/catalog/product-reads.ts) and keep the answers in the Cache API, keyed by the catalog
 * generation (see catalog-generation.ts). A cached read touches neither Postgres nor core.
 */
import type { Context } from 'hono';
import {
  listProducts,
  productFromRow,
  readProductByBarcode,
  readProductBySku,
} from '../core/catalog/product-reads.ts';
import { listProductsQuery } from '../core/catalog/schemas.ts';
import { mayAttempt, type Principal } from '../core/identity/policy.ts';
import { etagFor } from '../core/platform/etag.ts';
import type { RequestEnv } from '../core/platform/http.ts';
import { NotFoundError, UnauthorizedError, ValidationError } from '../core/platform/problem.ts';
import { fieldErrors } from '../core/platform/validation.ts';
import type { EdgeCaller } from './auth.ts';
import { openEdgeClient } from './database.ts';
import { type EdgeBindings, type EdgeConfig, serviceUrl } from './env.ts';
import { fetchCallerFromCore } from './gateway.ts';

type EdgeContext = Context<RequestEnv & { Bindings: EdgeBindings }>;

/** How long an isolate trusts the generation it read: the bound on a cached read's staleness. */
export const GENERATION_TTL_MS = 500;
/** How long an API key's roles are trusted at the edge before core is asked again. */
const API_KEY_TTL_MS = 30_000;
const CACHE_ORIGIN = 'https://catalog-cache.varastokkr.internal';

let generation: { value: number; readAt: number } | undefined;

/**
 * The hottest answers also stay in the isolate's memory, in front of the Cache API (which is a
 * lookup outside the isolate). Keys carry the generation, so a purge makes them unreachable too.
 */
const isolateCache = new Map<string, Loaded>();
const ISOLATE_CACHE_ENTRIES = 2_000;

function remember(key: string, loaded: Loaded): void {
  if (loaded.body.length > 64 * 1024) return;
  isolateCache.delete(key);
  isolateCache.set(key, loaded); // most recent last: a Map keeps insertion order
  const oldest = isolateCache.keys().next().value;
  if (isolateCache.size > ISOLATE_CACHE_ENTRIES && oldest !== undefined) isolateCache.delete(oldest);
}

/** The catalog generation this isolate trusts (re-read at most every GENERATION_TTL_MS). */
export async function catalogGeneration(env: EdgeBindings): Promise<number> {
  const now = Date.now();
  if (generation && now - generation.readAt < GENERATION_TTL_MS) return generation.value;
  const value = await catalogGenerationObject(env).current();
  generation = { value, readAt: now };
  return value;
}

export const catalogGenerationObject = (env: EdgeBindings) =>
  env.CATALOG_GENERATION.get(env.CATALOG_GENERATION.idFromName('catalog'));

/** After a purge, this isolate reads the new generation at once. */
export function forgetGeneration(): void {
  generation = undefined;
}

const apiKeyRoles = new Map<string, { roles: string[]; until: number }>();

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The caller's roles: from the verified token, or for an API key from core (cached briefly). */
async function callerRoles(cfg: EdgeConfig, caller: EdgeCaller, requestId: string): Promise<string[]> {
  if (caller.kind === 'token') return caller.roles;
  const id = await sha256Hex(caller.key);
  const known = apiKeyRoles.get(id);
  if (known && known.until > Date.now()) return known.roles;
  const res = await fetchCallerFromCore(
    serviceUrl(cfg, 'identity'),
    new Headers({ 'x-api-key': caller.key }),
    {
      requestId,
      timeoutMs: cfg.GATEWAY_TIMEOUT_MS,
      signingSecret: cfg.EDGE_SIGNING_SECRET,
    },
  );
  if (res.status === 401) throw new UnauthorizedError('The API key is not valid.');
  if (!res.ok) throw new Error(`identity answered ${res.status} for an API key`);
  const { roles } = (await res.json()) as { roles: string[] };
  if (apiKeyRoles.size > 10_000) apiKeyRoles.clear();
  apiKeyRoles.set(id, { roles, until: Date.now() + API_KEY_TTL_MS });
  return roles;
}

interface Loaded {
  status: 200 | 404;
  body: string;
  etag?: string;
}

async function weakEtag(body: string): Promise<string> {
  return `W/"${(await sha256Hex(body)).slice(0, 32)}"`;
}

/**
 * Serves a read from the Cache API, or loads it from Postgres and caches it. 404s are cached
 * too (a new product bumps the generation), so unknown skus cannot hammer the database.
 */
async function cachedRead(
  c: EdgeContext,
  cfg: EdgeConfig,
  caller: EdgeCaller,
  load: (withCost: boolean) => Promise<Loaded>,
): Promise<Response> {
  const roles = await callerRoles(cfg, caller, c.var.requestId);
  const withCost = mayAttempt({ roles } as Pick<Principal, 'roles'> as Principal, 'catalog:cost');
  const url = new URL(c.req.url);
  url.searchParams.sort();
  const key = `${CACHE_ORIGIN}/${await catalogGeneration(c.env)}/${withCost ? 'cost' : 'public'}${url.pathname}${url.search}`;
  const cache = (caches as unknown as { default: Cache }).default;
  const remembered = isolateCache.get(key);
  const hit = remembered ? undefined : await cache.match(key);
  let loaded: Loaded;
  if (remembered) {
    loaded = remembered;
  } else if (hit) {
    loaded = {
      status: Number(hit.headers.get('x-status')) as 200 | 404,
      body: await hit.text(),
      etag: hit.headers.get('etag') ?? undefined,
    };
  } else {
    loaded = await load(withCost);
    const stored = new Response(loaded.body, {
      headers: {
        'content-type': 'application/json',
        'cache-control': 'max-age=86400',
        'x-status': String(loaded.status),
        ...(loaded.etag ? { etag: loaded.etag } : {}),
      },
    });
    c.executionCtx.waitUntil(cache.put(key, stored));
  }
  remember(key, loaded);
  const headers = {
    'cache-control': 'private, no-cache',
    vary: 'Authorization, X-API-Key',
    'x-cache': remembered || hit ? 'hit' : 'miss',
    'content-type': loaded.status === 200 ? 'application/json' : 'application/problem+json',
    ...(loaded.etag ? { etag: loaded.etag } : {}),
  };
  if (loaded.status === 200 && loaded.etag && etagMatches(c.req.header('if-none-match'), loaded.etag))
    return new Response(null, { status: 304, headers });
  return new Response(loaded.body, { status: loaded.status, headers });
}

/** If-None-Match uses weak comparison: the opaque part of the tags must be equal. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((t) => opaque(t) === opaque(etag));
}

/** Runs one query on a fresh Neon client (Workers cannot share sockets across requests). */
async function withClient<T>(
  c: EdgeContext,
  cfg: EdgeConfig,
  fn: (client: Parameters<typeof readProductBySku>[0]) => Promise<T>,
) {
  const client = await openEdgeClient(cfg);
  try {
    return await fn(client as unknown as Parameters<typeof readProductBySku>[0]);
  } finally {
    c.executionCtx.waitUntil(client.end());
  }
}

/** A 404 problem to cache (the request id travels in the x-request-id header). */
function notFound(detail: string): Loaded {
  return { status: 404, body: JSON.stringify(new NotFoundError(detail).toProblem()) };
}

export async function listProductsAtEdge(c: EdgeContext, cfg: EdgeConfig, caller: EdgeCaller) {
  const parsed = listProductsQuery.safeParse(c.req.query());
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues));
  return cachedRead(c, cfg, caller, async (withCost) => {
    const page = await withClient(c, cfg, (client) => listProducts(client, parsed.data, { withCost }));
    const body = JSON.stringify(page);
    return { status: 200, body, etag: await weakEtag(body) };
  });
}

export async function readProductAtEdge(c: EdgeContext, cfg: EdgeConfig, caller: EdgeCaller, sku: string) {
  return cachedRead(c, cfg, caller, async (withCost) => {
    const row = await withClient(c, cfg, (client) => readProductBySku(client, sku));
    if (!row) return notFound(`No product with sku ${sku}.`);
    return {
      status: 200,
      body: JSON.stringify(productFromRow(row, { withCost })),
      etag: etagFor(row.version),
    };
  });
}

export async function readBarcodeAtEdge(c: EdgeContext, cfg: EdgeConfig, caller: EdgeCaller, code: string) {
  return cachedRead(c, cfg, caller, async (withCost) => {
    const row = await withClient(c, cfg, (client) => readProductByBarcode(client, code));
    if (!row) return notFound('No product has this barcode.');
    return {
      status: 200,
      body: JSON.stringify(productFromRow(row, { withCost })),
      etag: etagFor(row.version),
    };
  });
}
