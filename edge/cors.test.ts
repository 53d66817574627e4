/**
 * CORS at the edge, tested as a storefront meets it: pages served from two other origins call
 * the real edge from Debian's Chromium, one origin allowed by CORS_ALLOWED_ORIGINS and one not;
 * plus the preflight's and responses' headers over plain HTTP, and the variable's parsing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import type { BrowserContext, Page } from 'playwright-core';
import { ConfigError, parseEnv } from '../core/platform/env.ts';
import { type Actor, signedIn } from '../test/harness/auth.ts';
import { testBrowser } from '../test/harness/browser.ts';
import { type EdgeStack, startEdgeStack, testEdge } from '../test/harness/edge.ts';
import { allowedOrigins, devCorsOrigins, edgeConfigSchema } from './env-schema.ts';

/** A page of a site on another origin than the edge: an empty storefront. */
function servePage(): Server<undefined> {
  return Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: () =>
      new Response('<!doctype html><title>storefront</title><p>a shop', {
        headers: { 'content-type': 'text/html; charset=utf-8' },
      }),
  });
}

const allowedSite = servePage();
const otherSite = servePage();
const allowedOrigin = `http://127.0.0.1:${allowedSite.port}`;
const otherOrigin = `http://127.0.0.1:${otherSite.port}`;

let stack: EdgeStack;
let admin: Actor;
let context: BrowserContext;

beforeAll(async () => {
  stack = await startEdgeStack({
    name: 'cors',
    jobs: false,
    // A second, unrelated origin too: the list is comma-separated, spaces allowed.
    edgeVars: () => ({ CORS_ALLOWED_ORIGINS: `https://shop.example.com, ${allowedOrigin}` }),
  });
  admin = await signedIn({ url: stack.url, db: stack.database.db }, { roles: ['admin'] });
  context = await (await testBrowser()).newContext();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  allowedSite.stop(true);
  otherSite.stop(true);
});

async function pageOn(origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  return page;
}

/** What a page's fetch() gave it: the response it could read, or the error it got instead. */
interface Outcome {
  status?: number;
  body?: Record<string, unknown>;
  headers?: Record<string, string | null>;
  error?: string;
}

/** Runs fetch() in the page, as the storefront's own script would. */
function fetchFromPage(
  page: Page,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown },
) {
  return page.evaluate(
    async ({ url, init }): Promise<Outcome> => {
      try {
        const res = await fetch(url, {
          method: init.method,
          headers: init.headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        });
        const headers: Record<string, string | null> = {};
        for (const name of ['content-type', 'etag', 'x-request-id']) headers[name] = res.headers.get(name);
        return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers };
      } catch (err) {
        return { error: `${(err as Error).name}: ${(err as Error).message}` };
      }
    },
    { url, init },
  );
}

describe('from a page in Chromium', () => {
  test('an allowed origin creates and changes a product with Authorization, JSON and If-Match, and reads ETag and the request id', async () => {
    const page = await pageOn(allowedOrigin);
    const sku = `CORS-${crypto.randomUUID().slice(0, 8)}`;
    const created = await fetchFromPage(page, `${stack.url}/api/products`, {
      method: 'POST',
      headers: { Authorization: admin.headers.authorization!, 'Content-Type': 'application/json' },
      body: { sku, name: 'From the storefront' },
    });
    expect(created.error).toBeUndefined();
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ sku, name: 'From the storefront' });
    expect(created.headers?.etag).toBeTruthy();
    expect(created.headers?.['x-request-id']).toBeTruthy();

    const changed = await fetchFromPage(page, `${stack.url}/api/products/${sku}`, {
      method: 'PATCH',
      headers: {
        Authorization: admin.headers.authorization!,
        'Content-Type': 'application/json',
        'If-Match': created.headers!.etag!,
      },
      body: { name: 'Renamed from the storefront' },
    });
    expect(changed.error).toBeUndefined();
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ sku, name: 'Renamed from the storefront' });
    await page.close();
  });

  test('an allowed origin reads a 401 problem as the page sees it, not a network error', async () => {
    const page = await pageOn(allowedOrigin);
    const refused = await fetchFromPage(page, `${stack.url}/api/warehouses`, {
      method: 'GET',
      headers: { Authorization: 'Bearer not-a-token' },
    });
    expect(refused.error).toBeUndefined();
    expect(refused.status).toBe(401);
    expect(refused.headers?.['content-type']).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ status: 401 });
    await page.close();
  });

  test('another origin gets a TypeError, and its request never reaches core', async () => {
    const page = await pageOn(otherOrigin);
    const sku = `CORS-NO-${crypto.randomUUID().slice(0, 8)}`;
    const blocked = await fetchFromPage(page, `${stack.url}/api/products`, {
      method: 'POST',
      headers: { Authorization: admin.headers.authorization!, 'Content-Type': 'application/json' },
      body: { sku, name: 'Should not exist' },
    });
    expect(blocked.status).toBeUndefined();
    expect(blocked.error).toStartWith('TypeError');
    // The preflight failed, so the browser never sent the POST.
    const lookup = await fetch(`${stack.url}/api/products/${sku}`, { headers: admin.headers });
    expect(lookup.status).toBe(404);
    await page.close();
  });
});

/** A browser's preflight for a request with these headers. */
function preflight(url: string, origin: string, method = 'POST', headers = 'authorization, content-type') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

const corsHeaders = (res: Response) => [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));

describe('over HTTP', () => {
  test('a preflight from an allowed origin gets 204 before authentication, with methods, headers and max-age', async () => {
    const res = await preflight(
      `${stack.url}/api/warehouses`,
      allowedOrigin,
      'PATCH',
      'authorization, if-match',
    );
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    const methods = res.headers.get('access-control-allow-methods')?.split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
    const allowed = res.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining([
        'authorization',
        'content-type',
        'idempotency-key',
        'if-match',
        'x-api-key',
        'x-request-id',
      ]),
    );
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(res.headers.get('vary')).toContain('Origin');
    // Credentials are headers (a bearer token, an API key), never cookies.
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  test('a preflight from another origin gets 403 naming the variable, and no CORS headers', async () => {
    const res = await preflight(`${stack.url}/api/products`, otherOrigin);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toContain('CORS_ALLOWED_ORIGINS');
    expect(corsHeaders(res)).toEqual([]);
  });

  test('responses to an allowed origin, errors included, carry the origin and expose the useful headers', async () => {
    const res = await fetch(`${stack.url}/api/warehouses`, { headers: { origin: allowedOrigin } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(res.headers.get('vary')).toContain('Origin');
    const exposed = res.headers.get('access-control-expose-headers')?.toLowerCase().split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(['etag', 'location', 'retry-after', 'x-request-id']));

    const missing = await fetch(`${stack.url}/api/no-such-thing`, { headers: { origin: allowedOrigin } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
  });

  test('responses to another origin, or to no origin, carry no CORS headers but say they vary by Origin', async () => {
    for (const headers of [{ origin: otherOrigin }, {} as Record<string, string>]) {
      const res = await fetch(`${stack.url}/healthz`, { headers });
      expect(res.status).toBe(200);
      expect(corsHeaders(res)).toEqual([]);
      expect(res.headers.get('vary')).toContain('Origin');
    }
  });

  test('an OPTIONS request that is not a preflight is left to the routes', async () => {
    const res = await fetch(`${stack.url}/api/warehouses`, {
      method: 'OPTIONS',
      headers: { origin: allowedOrigin },
    });
    expect(res.status).not.toBe(204);
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
  });

  test("in development, the dashboard's dev server (port 4200) is allowed by default and nothing else", async () => {
    const shared = await testEdge(); // ENVIRONMENT=development, no CORS_ALLOWED_ORIGINS
    for (const origin of devCorsOrigins) {
      const res = await preflight(`${shared.url}/api/products`, origin);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const other = await preflight(`${shared.url}/api/products`, 'http://localhost:3000');
    expect(other.status).toBe(403);
    expect(corsHeaders(other)).toEqual([]);
  });
});

describe('CORS_ALLOWED_ORIGINS', () => {
  const base = {
    CORE_URL: 'http://127.0.0.1:8788',
    JWT_ISSUER: 'varastokkr',
    JWT_AUDIENCE: 'varastokkr-api',
  };
  const production = {
    ...base,
    ENVIRONMENT: 'production',
    DATABASE_URL: 'postgres://edge@db.example/varastokkr',
    INTERNAL_SECRET: 'i'.repeat(32),
    EDGE_SIGNING_SECRET: 's'.repeat(32),
  };

  test('unset: none in production, the dev server in development and test', () => {
    expect(allowedOrigins(parseEnv(edgeConfigSchema, production))).toEqual([]);
    expect(allowedOrigins(parseEnv(edgeConfigSchema, { ...base, ENVIRONMENT: 'development' }))).toEqual(
      devCorsOrigins,
    );
    expect(allowedOrigins(parseEnv(edgeConfigSchema, { ...base, NODE_ENV: 'test' }))).toEqual(devCorsOrigins);
    expect(allowedOrigins(parseEnv(edgeConfigSchema, base))).toEqual([]);
  });

  test('set: exactly the listed origins, in any environment', () => {
    const cfg = parseEnv(edgeConfigSchema, {
      ...production,
      CORS_ALLOWED_ORIGINS: 'https://shop.example.com, https://admin.example.com:8443,',
    });
    expect(allowedOrigins(cfg)).toEqual(['https://shop.example.com', 'https://admin.example.com:8443']);
  });

  test.each([
    ['https://shop.example.com/', 'a trailing slash'],
    ['https://shop.example.com/path', 'a path'],
    ['*', 'a wildcard'],
    ['https://*.example.com', 'a wildcard host'],
    ['shop.example.com', 'no scheme'],
    ['ftp://shop.example.com', 'not http(s)'],
  ])('%s (%s) is refused, naming the variable and the value', (value) => {
    expect(() => parseEnv(edgeConfigSchema, { ...base, CORS_ALLOWED_ORIGINS: value })).toThrow(ConfigError);
    expect(() => parseEnv(edgeConfigSchema, { ...base, CORS_ALLOWED_ORIGINS: value })).toThrow(
      new RegExp(`CORS_ALLOWED_ORIGINS.*${value.replace(/[.*/]/g, '\\$&')} is not an origin`),
    );
  });
});
