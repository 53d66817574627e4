/**
 * Through the real edge (workerd): core sees the client address the edge saw, signed; whatever
 * forwarding or edge headers a client sends are replaced. The test stack's core refuses
 * unsigned /api/* calls (as production does), so every other edge test also proves the edge
 * signs what it sends to core.
 */
import { beforeAll, expect, test } from 'bun:test';
import { type TestEdge, testEdge } from '../test/harness/edge.ts';
import { eventually } from '../test/harness/http.ts';

let edge: TestEdge;
beforeAll(async () => {
  edge = await testEdge();
}, 120_000);

async function coreLineFor(init: RequestInit & { path: string }) {
  const requestId = `edgetrust-${crypto.randomUUID()}`;
  const headers = new Headers(init.headers);
  headers.set('x-request-id', requestId);
  const res = await fetch(`${edge.url}${init.path}`, { ...init, headers });
  await res.arrayBuffer();
  const line = await eventually(async () =>
    edge.coreLogs.find((l) => l.requestId === requestId && l.msg === 'request'),
  );
  return { status: res.status, line };
}

const forged = {
  'x-forwarded-for': '203.0.113.80',
  forwarded: 'for=203.0.113.81',
  'x-real-ip': '203.0.113.83',
  'x-edge-client': '203.0.113.82',
  'x-edge-timestamp': String(Math.floor(Date.now() / 1000)),
  'x-edge-signature': 'f'.repeat(64),
};
const wrongLogin = JSON.stringify({ email: 'nobody@example.test', password: 'wrong-password-1' });

test('a login through the edge carries the client address the platform gave the edge, not forged ones', async () => {
  // On Cloudflare, CF-Connecting-IP is set by the platform (a client's own is overwritten);
  // wrangler dev passes it through, so the test plays the platform with it.
  const { status, line } = await coreLineFor({
    path: '/api/auth/login',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': '198.51.100.23', ...forged },
    body: wrongLogin,
  });
  expect(status).toBe(401);
  expect(line.client).toBe('198.51.100.23');
  const warned = edge.coreLogs.some(
    (l) => l.requestId === line.requestId && String(l.msg).startsWith('edge signature'),
  );
  expect(warned).toBe(false); // the client's signature headers never reached core
});

test('without a platform address core sees the local peer, never a forged one', async () => {
  const { line } = await coreLineFor({
    path: '/api/auth/login',
    method: 'POST',
    headers: { 'content-type': 'application/json', ...forged },
    body: wrongLogin,
  });
  expect(line.client).toBe('127.0.0.1');
});

test('API key reads the edge answers itself still reach core (signed) for the key check', async () => {
  const { status } = await coreLineFor({
    path: '/api/products',
    headers: { 'x-api-key': 'vk_not-a-real-key' },
  });
  expect(status).toBe(401); // core answered the key check; unsigned it would have been 403
});
