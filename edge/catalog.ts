/**
 * Catalog reads answered by the worker itself: GET /api/products, /api/products/:sku and
 * /api/barcodes/:code read Postgres through the Neon driver (the same SQL as core, from
 * core/catalog/product-reads.ts) and keep the answers in the isolate and the Cache API, keyed by
 * the generation of the last change of what each depends on (see catalog-generation.ts): a
 * product read by its sku's, a barcode read by its code's, a list by any product's. A cached read
 * touches neither Postgres nor core; an uncached one queries through a CatalogReader, which keeps
 * its connection open (catalog-reader.ts).
 */
import type { Context } from 'hono';
import { barcodeName, EVERY_BARCODE, skuName } from '../core/catalog/catalog-changes.ts';
import { productFromRow } from '../core/catalog/product-reads.ts';
import { type ListProductsQuery, listProductsQuery } from '../core/catalog/schemas.ts';
import { mayAttempt, type Principal } from '../core/identity/policy.ts';
import { etagFor } from '../core/platform/etag.ts';
import type { RequestEnv } from '../core/platform/http.ts';
import { NotFoundError, UnauthorizedError, ValidationError } from '../core/platform/problem.ts';
import { fieldErrors } from '../core/platform/validation.ts';
import type { EdgeCaller } from './auth.ts';
import { catalogReader } from './catalog-reader.ts';
import { type EdgeBindings, type EdgeConfig, serviceUrl } from './env.ts';
import { fetchCallerFromCore } from './gateway.ts';

type EdgeContext = Context<RequestEnv & { Bindings: EdgeBindings }>;

/** How long an isolate trusts the change log it read: the bound on a cached read's staleness. */
export const GENERATION_TTL_MS = 500;
/** How long an API key's roles are trusted at the edge before core is asked again. */
const API_KEY_TTL_MS = 30_000;
const CACHE_ORIGIN = 'https://catalog-cache.varastokkr.internal';

/** What this isolate knows of the catalog's change log (catalog-generation.ts). */
interface CatalogView {
  generation: number;
  floor: number;
  changed: Map<string, number>;
  readAt: number;
}
let view: CatalogView | undefined;

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

/** When this isolate's read-ahead of the change log started, while it runs (one at a time). */
let readAheadSince: number | undefined;

/** What catalogView needs of a request: the bindings, and a way to finish work after answering. */
export interface CatalogRequest {
  env: EdgeBindings;
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The change log as this isolate trusts it: never older than GENERATION_TTL_MS. Past half that
 * age, one request asks for what changed in the background (its answer does not wait for it) while every
 * request goes on with the view it has, so under load the view is renewed before it expires:
 * requests neither wait for the log nor all ask for it at once. A view past its age is read
 * again by each request that finds it so (a promise of one request's I/O must not be awaited by
 * another), which happens when the isolate was idle or a read-ahead failed.
 */
export async function catalogView(request: CatalogRequest): Promise<CatalogView> {
  const now = Date.now();
  if (!view || now - view.readAt >= GENERATION_TTL_MS) return readView(request.env);
  const halfLife = GENERATION_TTL_MS / 2;
  if (now - view.readAt >= halfLife && (readAheadSince === undefined || now - readAheadSince >= halfLife)) {
    const since = now;
    readAheadSince = since;
    request.waitUntil(
      readView(request.env)
        .catch(() => undefined) // the next request past the view's age asks again itself
        .finally(() => {
          if (readAheadSince === since) readAheadSince = undefined;
        }),
    );
  }
  return view;
}

async function readView(env: EdgeBindings): Promise<CatalogView> {
  const readAt = Date.now();
  const answer = await catalogGenerationObject(env).changesSince(view?.generation ?? null);
  // Another request's answer may have landed meanwhile: keep the newer.
  if (view && view.generation > answer.generation) return view;
  const known = view;
  const changed = answer.whole || !known ? new Map<string, number>() : known.changed;
  for (const { name, generation } of answer.changed) changed.set(name, generation);
  // The log was cut below what this isolate holds: those names key by the floor now.
  if (known && answer.floor > known.floor)
    for (const [name, generation] of changed) if (generation <= answer.floor) changed.delete(name);
  view = { generation: answer.generation, floor: answer.floor, changed, readAt };
  return view;
}

/** The generation a read depending on these names is cached under: the last change of any. */
function keyGeneration(v: CatalogView, names: string[]): number {
  let generation = v.floor;
  for (const name of names) generation = Math.max(generation, v.changed.get(name) ?? 0);
  return generation;
}

export const catalogGenerationObject = (env: EdgeBindings) =>
  env.CATALOG_GENERATION.get(env.CATALOG_GENERATION.idFromName('catalog'));

/** After a purge, in the purge's request: this isolate knows the change at once, others within GENERATION_TTL_MS. */
export async function renewView(env: EdgeBindings): Promise<void> {
  await readView(env);
}

/** API keys' roles by key (the key is in this isolate's memory with every request anyway). */
const apiKeyRoles = new Map<string, { roles: string[]; until: number }>();

/** The caller's roles: from the verified token, or for an API key from core (cached briefly). */
async function callerRoles(cfg: EdgeConfig, caller: EdgeCaller, requestId: string): Promise<string[]> {
  if (caller.kind === 'token') return caller.roles;
  const known = apiKeyRoles.get(caller.key);
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
  apiKeyRoles.set(caller.key, { roles, until: Date.now() + API_KEY_TTL_MS });
  return roles;
}

interface Loaded {
  status: 200 | 404;
  body: string;
  etag?: string;
}

async function weakEtag(body: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `W/"${hex.slice(0, 32)}"`;
}

/** The list's parameters, in the fixed order its cache key names them (all the schema has). */
const LIST_PARAMETERS = Object.keys(listProductsQuery.shape).sort() as (keyof ListProductsQuery)[];

/**
 * A list's query as its cache key names it: the parameters the list reads, validated, in a fixed
 * order. Parameters the list ignores (a client's `?_=<time>` cache-buster) and their order do not
 * make another entry, so they cannot send reads past the cache to Postgres.
 */
function listTarget(query: ListProductsQuery): string {
  const params = new URLSearchParams();
  for (const name of LIST_PARAMETERS) {
    const value = query[name];
    if (value !== undefined) params.set(name, String(value));
  }
  return `/products?${params}`;
}

/**
 * Serves a read from the isolate or the Cache API, or loads it from Postgres and caches it, under
 * the generation of the last change of what it depends on (`names`; null: any product, as a list
 * does), `target` naming what is read (the request's own query string is not part of it; a
 * sku or code in it is percent-encoded, since the key is parsed as a URL, whose `..` and `#`
 * would otherwise let one read's key land on another's). The
 * key is fixed before the load, and the load is given its generation, so an answer read before a
 * change is never stored under a key from after it. 404s are cached too (creating the product changes its sku's name),
 * so unknown skus cannot hammer the database.
 */
async function cachedRead(
  c: EdgeContext,
  cfg: EdgeConfig,
  caller: EdgeCaller,
  names: string[] | null,
  target: string,
  load: (withCost: boolean, generation: number) => Promise<Loaded>,
): Promise<Response> {
  const roles = await callerRoles(cfg, caller, c.var.requestId);
  const withCost = mayAttempt({ roles } as Pick<Principal, 'roles'> as Principal, 'catalog:cost');
  const v = await catalogView({ env: c.env, waitUntil: (p) => c.executionCtx.waitUntil(p) });
  const generation = names ? keyGeneration(v, names) : v.generation;
  const key = `${CACHE_ORIGIN}/${generation}/${withCost ? 'cost' : 'public'}${target}`;
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
    loaded = await load(withCost, generation);
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

/** A 404 problem to cache (the request id travels in the x-request-id header). */
function notFound(detail: string): Loaded {
  return { status: 404, body: JSON.stringify(new NotFoundError(detail).toProblem()) };
}

export async function listProductsAtEdge(c: EdgeContext, cfg: EdgeConfig, caller: EdgeCaller) {
  const parsed = listProductsQuery.safeParse(c.req.query());
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues));
  const target = listTarget(parsed.data);
  return cachedRead(c, cfg, caller, null, target, async (withCost, generation) => {
    const page = await catalogReader(c.env, target).productPage(parsed.data, { withCost }, generation);
    const body = JSON.stringify(page);
    return { status: 200, body, etag: await weakEtag(body) };
  });
}

export async function readProductAtEdge(c: EdgeContext, cfg: EdgeConfig, caller: EdgeCaller, sku: string) {
  return cachedRead(
    c,
    cfg,
    caller,
    [skuName(sku)],
    `/products/${encodeURIComponent(sku)}`,
    async (withCost, generation) => {
      const row = await catalogReader(c.env, sku).productBySku(sku, generation);
      if (!row) return notFound(`No product with sku ${sku}.`);
      return {
        status: 200,
        body: JSON.stringify(productFromRow(row, { withCost })),
        etag: etagFor(row.version),
      };
    },
  );
}

export async function readBarcodeAtEdge(c: EdgeContext, cfg: EdgeConfig, caller: EdgeCaller, code: string) {
  // The code's product, or a product without a barcode whose sku is the code; EVERY_BARCODE
  // when some product's barcode moved.
  const names = [barcodeName(code), skuName(code), EVERY_BARCODE];
  return cachedRead(
    c,
    cfg,
    caller,
    names,
    `/barcodes/${encodeURIComponent(code)}`,
    async (withCost, generation) => {
      const row = await catalogReader(c.env, code).productByBarcode(code, generation);
      if (!row) return notFound('No product has this barcode.');
      return {
        status: 200,
        body: JSON.stringify(productFromRow(row, { withCost })),
        etag: etagFor(row.version),
      };
    },
  );
}
