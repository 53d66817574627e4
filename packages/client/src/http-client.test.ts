/**
 * The typed HTTP client against the real stack (core, the edge in workerd) with access tokens
 * that live 6 seconds and refresh tokens that work exactly once (no reuse grace): sign-in and
 * refresh before expiry, one shared refresh after a refused token, problem+json as
 * ProblemError, API keys.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { type Actor, signedIn } from '../../../test/harness/auth.ts';
import { type EdgeStack, startEdgeStack } from '../../../test/harness/edge.ts';
import { eventually } from '../../../test/harness/http.ts';
import { createClient, ProblemError } from './index.ts';

const ACCESS_TOKEN_TTL_SECONDS = 6;

let stack: EdgeStack;
let admin: Actor;

beforeAll(async () => {
  stack = await startEdgeStack({
    name: 'client-http',
    jobs: false,
    auth: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS, refreshReuseGraceSeconds: 0 },
  });
  admin = await signedIn({ url: stack.url, db: stack.database.db }, { roles: ['admin'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** A fetch that records what went out and what came back. */
function recordingFetch() {
  const seen: { method: string; path: string; status: number; authorization: string | null }[] = [];
  const fetchAndRecord = async (input: Request | string, init?: RequestInit) => {
    const request =
      typeof input === 'string' ? new Request(input, init) : new Request(input as Request, init);
    const response = await fetch(request);
    seen.push({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      authorization: request.headers.get('authorization'),
    });
    return response;
  };
  return { seen, fetch: fetchAndRecord };
}

test('signs in with email and password, and refreshes the access token before it expires', async () => {
  const recorded = recordingFetch();
  const client = createClient({
    baseUrl: stack.url,
    credentials: { email: admin.user.email, password: admin.password },
    fetch: recorded.fetch,
  });

  const { data: me } = await client.GET('/api/auth/me');
  expect(me.email).toBe(admin.user.email);
  expect(client.user?.email).toBe(admin.user.email);
  const first = client.tokens;
  expect(first?.expiresAt).toBeNumber();

  // Within the last half of the token's life the client refreshes before it sends.
  await eventually(async () => (Date.now() > (first?.expiresAt ?? 0) - 3_000 ? true : undefined), 10_000);
  const { data: again } = await client.GET('/api/auth/me');
  expect(again.id).toBe(me.id);
  expect(client.tokens?.accessToken).not.toBe(first?.accessToken);
  expect(recorded.seen.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
    'POST /api/auth/login 200',
    'GET /api/auth/me 200',
    'POST /api/auth/refresh 200',
    'GET /api/auth/me 200',
  ]);
});

test('a refused access token is refreshed once, however many requests were refused, and each is sent again', async () => {
  const recorded = recordingFetch();
  const client = createClient({
    baseUrl: stack.url,
    // Saved tokens whose access token the server refuses (as an expired one is).
    credentials: { tokens: { accessToken: 'expired.access.token', refreshToken: admin.refreshToken } },
    fetch: recorded.fetch,
  });

  const answers = await Promise.all(Array.from({ length: 5 }, () => client.GET('/api/auth/me')));
  for (const { data } of answers) expect(data.email).toBe(admin.user.email);
  // A second refresh of the same token would revoke the session (no grace here): there was one.
  expect(recorded.seen.filter((r) => r.path === '/api/auth/refresh')).toHaveLength(1);
  const me = recorded.seen.filter((r) => r.path === '/api/auth/me');
  expect(me.filter((r) => r.status === 401)).toHaveLength(5);
  expect(me.filter((r) => r.status === 200)).toHaveLength(5);
  expect(new Set(me.map((r) => r.authorization)).size).toBe(2);
});

test('a 4xx answer is thrown as a ProblemError with its type, fields and request id', async () => {
  const client = createClient({
    baseUrl: stack.url,
    credentials: { email: admin.user.email, password: admin.password },
  });
  const sku = `CLIENT-${crypto.randomUUID().slice(0, 8)}`;
  const failed = await client
    .POST('/api/products', { body: { sku, name: 'Bad barcode', barcode: '4006381333932' } })
    .catch((err: unknown) => err);

  expect(failed).toBeInstanceOf(ProblemError);
  const problem = failed as ProblemError;
  expect(problem.status).toBe(422);
  expect(problem.kind).toBe('validation');
  expect(problem.type).toBe('https://varastokkr.dev/problems/validation');
  expect(problem.title).toBeString();
  expect(problem.detail).toBeString();
  expect(problem.fieldError('barcode')).toBeString();
  expect(problem.requestId).toBeString();
  expect(problem.response?.headers.get('x-request-id')).toBe(problem.requestId ?? '');

  // And the same body with a valid barcode goes through, typed.
  const { data: product, response } = await client.POST('/api/products', {
    body: { sku, name: 'Good barcode', barcode: '4006381333931' },
  });
  expect(response.status).toBe(201);
  expect(product.sku).toBe(sku);
});

test('a wrong password is a ProblemError 401, not a token', async () => {
  const client = createClient({ baseUrl: stack.url });
  const failed = await client.login(admin.user.email, 'not the password').catch((err: unknown) => err);
  expect(failed).toBeInstanceOf(ProblemError);
  expect((failed as ProblemError).status).toBe(401);
  expect(client.tokens).toBeUndefined();
});

test('an API key authenticates every request (X-API-Key), and a revoked one is a ProblemError 401', async () => {
  const asAdmin = createClient({
    baseUrl: stack.url,
    credentials: { email: admin.user.email, password: admin.password },
  });
  const { data: created } = await asAdmin.POST('/api/api-keys', {
    body: { name: 'client test', roles: ['manager'], warehouseIds: [] },
  });

  const partner = createClient({ baseUrl: stack.url, credentials: { apiKey: created.key } });
  const { data: me } = await partner.GET('/api/auth/me');
  expect(me).toMatchObject({ id: created.id, kind: 'api_key', roles: ['manager'] });
  expect(await partner.accessToken()).toBeUndefined();

  await asAdmin.DELETE('/api/api-keys/{id}', { params: { path: { id: created.id } } });
  const refused = await partner.GET('/api/auth/me').catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(ProblemError);
  expect((refused as ProblemError).status).toBe(401);
});

test('fetch() sends the credentials for answers that are not JSON', async () => {
  const client = createClient({
    baseUrl: stack.url,
    credentials: { email: admin.user.email, password: admin.password },
  });
  const res = await client.fetch('/api/products/export');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toStartWith('text/csv');
  expect((await res.text()).split('\n')[0]).toContain('sku');
});
