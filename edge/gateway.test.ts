/**
 * forwardRequest over real HTTP in Bun (the same fetch semantics workerd has): hop-by-hop
 * headers dropped both ways, request id and forwarding headers set, transport failures as
 * 502/504 problems. The workerd run of the gateway is covered by edge.test.ts.
 */
import { afterAll, expect, test } from 'bun:test';
import { checkEdgeSignature } from '../core/platform/edge-signature.ts';
import { freePort } from '../core/platform/ports.ts';
import { AppError, toProblem } from '../core/platform/problem.ts';
import { forwardRequest } from './gateway.ts';

const echo = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === '/slow') await Bun.sleep(2000);
    return Response.json(
      {
        path: url.pathname + url.search,
        method: req.method,
        headers: Object.fromEntries(req.headers),
        body: await req.text(),
      },
      {
        headers: {
          'keep-alive': 'timeout=5',
          'x-upstream': 'yes',
          connection: 'x-secret-hop',
          'x-secret-hop': '1',
        },
      },
    );
  },
});
afterAll(() => echo.stop(true));

const base = `http://127.0.0.1:${echo.port}`;

async function failureOf(promise: Promise<Response>) {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return toProblem(err);
  }
  throw new Error('expected the forward to fail');
}

test('forwards method, path, query and body; drops hop-by-hop headers both ways', async () => {
  const req = new Request('http://edge.example/api/things?x=1', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      connection: 'keep-alive, x-private-hop',
      'x-private-hop': 'secret',
      'proxy-authorization': 'Basic abc',
      te: 'trailers',
      authorization: 'Bearer end-to-end',
    },
    body: JSON.stringify({ hello: 'world' }),
  });
  const res = await forwardRequest(req, base, {
    requestId: 'gw-test-request',
    timeoutMs: 1000,
    clientIp: '203.0.113.9',
  });
  const seen = (await res.json()) as {
    path: string;
    method: string;
    headers: Record<string, string>;
    body: string;
  };
  expect(seen.path).toBe('/api/things?x=1');
  expect(seen.method).toBe('POST');
  expect(JSON.parse(seen.body)).toEqual({ hello: 'world' });
  expect(seen.headers['x-request-id']).toBe('gw-test-request');
  expect(seen.headers['x-forwarded-host']).toBe('edge.example');
  expect(seen.headers['x-forwarded-for']).toBe('203.0.113.9');
  expect(seen.headers.authorization).toBe('Bearer end-to-end');
  for (const hop of ['x-private-hop', 'proxy-authorization', 'te']) expect(seen.headers[hop]).toBeUndefined();
  expect(res.headers.get('x-upstream')).toBe('yes');
  expect(res.headers.get('keep-alive')).toBeNull();
  expect(res.headers.get('x-secret-hop')).toBeNull();
});

test("a client's own forwarding headers are replaced by ours; the response carries the request id", async () => {
  const req = new Request('http://edge.example/api/things', {
    headers: {
      forwarded: 'for=10.0.0.1',
      'x-real-ip': '10.0.0.2',
      'x-forwarded-for': '10.0.0.3',
      'x-forwarded-host': 'evil.example',
    },
  });
  const res = await forwardRequest(req, base, { requestId: 'gw-forwarding-1', timeoutMs: 1000 });
  const seen = (await res.json()) as { headers: Record<string, string> };
  expect(seen.headers.forwarded).toBeUndefined();
  expect(seen.headers['x-real-ip']).toBeUndefined();
  expect(seen.headers['x-forwarded-for']).toBeUndefined(); // no client address known here
  expect(seen.headers['x-forwarded-host']).toBe('edge.example');
  expect(res.headers.get('x-request-id')).toBe('gw-forwarding-1');
});

test('an upstream that does not answer in time: 504', async () => {
  const problem = await failureOf(
    forwardRequest(new Request('http://edge.example/slow'), base, {
      requestId: 'r-slow-0001',
      timeoutMs: 200,
    }),
  );
  expect(problem.status).toBe(504);
});

test('an upstream that cannot be reached: 502', async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const problem = await failureOf(
    forwardRequest(new Request('http://edge.example/api/x'), closed, {
      requestId: 'r-down-0001',
      timeoutMs: 1000,
    }),
  );
  expect(problem.status).toBe(502);
  expect(problem.detail).not.toContain('127.0.0.1');
});

test("with a signing secret the forward is signed for core; a client's own edge headers are replaced", async () => {
  const secret = 'g'.repeat(40);
  const req = new Request('http://edge.example/api/things?a=1', {
    method: 'DELETE',
    headers: { 'x-edge-client': '10.0.0.9', 'x-edge-signature': '0'.repeat(64), 'x-edge-timestamp': '1' },
  });
  const res = await forwardRequest(req, base, {
    requestId: 'gw-signed-0001',
    timeoutMs: 1000,
    clientIp: '203.0.113.9',
    signingSecret: secret,
  });
  const seen = (await res.json()) as { headers: Record<string, string> };
  const check = await checkEdgeSignature(secret, {
    method: 'DELETE',
    pathAndQuery: '/api/things?a=1',
    headers: new Headers(seen.headers),
  });
  expect(check).toEqual({ valid: true, client: '203.0.113.9' });

  const unsigned = await forwardRequest(req, base, { requestId: 'gw-signed-0002', timeoutMs: 1000 });
  const bare = (await unsigned.json()) as { headers: Record<string, string> };
  for (const name of ['x-edge-client', 'x-edge-signature', 'x-edge-timestamp'])
    expect(bare.headers[name]).toBeUndefined();
});
