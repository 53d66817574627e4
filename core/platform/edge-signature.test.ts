/**
 * The edge signature: what it covers (method, path and query, time, client address), the
 * clock-skew window, and core's use of it: a client address is believed only from a validly
 * signed request, otherwise the socket's peer is used; a production core refuses unsigned /api/*.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { fromAddress, serveCore, TEST_EDGE_SIGNING_SECRET } from '../../test/harness/core.ts';
import { createTestDatabase, type TestDatabase } from '../../test/harness/database.ts';
import { expectProblem } from '../../test/harness/http.ts';
import {
  checkEdgeSignature,
  EDGE_CLIENT_HEADER,
  EDGE_SIGNATURE_HEADER,
  EDGE_SIGNATURE_SKEW_SECONDS,
  EDGE_TIMESTAMP_HEADER,
  edgeSignatureHeaders,
} from './edge-signature.ts';

const secret = 's'.repeat(40);
const now = 1_800_000_000;
const request = {
  method: 'POST',
  pathAndQuery: '/api/auth/login?x=1',
  client: '203.0.113.7',
  timestamp: now,
};

async function check(headers: Record<string, string>, overrides: Partial<typeof request> = {}, at = now) {
  const req = { ...request, ...overrides };
  return checkEdgeSignature(secret, { ...req, headers: new Headers(headers) }, at);
}

describe('signature rules', () => {
  test('a signed request checks out and yields the client address', async () => {
    const headers = await edgeSignatureHeaders(secret, request);
    expect(headers[EDGE_TIMESTAMP_HEADER]).toBe(String(now));
    expect(await check(headers)).toEqual({ valid: true, client: '203.0.113.7' });
    expect(await check(headers, { method: 'post' })).toEqual({ valid: true, client: '203.0.113.7' });
  });

  test('changing the method, path, query, client or timestamp breaks it', async () => {
    const headers = await edgeSignatureHeaders(secret, request);
    const mismatch = { valid: false, reason: 'mismatch' } as const;
    expect(await check(headers, { method: 'GET' })).toEqual(mismatch);
    expect(await check(headers, { pathAndQuery: '/api/auth/login?x=2' })).toEqual(mismatch);
    expect(await check(headers, { pathAndQuery: '/api/auth/refresh?x=1' })).toEqual(mismatch);
    expect(await check({ ...headers, [EDGE_CLIENT_HEADER]: '198.51.100.1' })).toEqual(mismatch);
    expect(await check({ ...headers, [EDGE_TIMESTAMP_HEADER]: String(now + 1) })).toEqual(mismatch);
    const flipped = headers[EDGE_SIGNATURE_HEADER]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(await check({ ...headers, [EDGE_SIGNATURE_HEADER]: flipped })).toEqual(mismatch);
    expect(
      await checkEdgeSignature('t'.repeat(40), { ...request, headers: new Headers(headers) }, now),
    ).toEqual(mismatch);
  });

  test('outside the clock-skew window either way it is stale', async () => {
    const headers = await edgeSignatureHeaders(secret, request);
    expect((await check(headers, {}, now + EDGE_SIGNATURE_SKEW_SECONDS)).valid).toBe(true);
    expect((await check(headers, {}, now - EDGE_SIGNATURE_SKEW_SECONDS)).valid).toBe(true);
    expect(await check(headers, {}, now + EDGE_SIGNATURE_SKEW_SECONDS + 1)).toEqual({
      valid: false,
      reason: 'stale',
    });
    expect(await check(headers, {}, now - EDGE_SIGNATURE_SKEW_SECONDS - 1)).toEqual({
      valid: false,
      reason: 'stale',
    });
  });

  test('no headers is unsigned; broken ones are malformed', async () => {
    expect(await check({})).toEqual({ valid: false, reason: 'unsigned' });
    const headers = await edgeSignatureHeaders(secret, request);
    for (const broken of [
      { ...headers, [EDGE_SIGNATURE_HEADER]: 'zz' },
      { ...headers, [EDGE_SIGNATURE_HEADER]: `${headers[EDGE_SIGNATURE_HEADER]!.toUpperCase()}X` },
      { ...headers, [EDGE_TIMESTAMP_HEADER]: 'yesterday' },
      { [EDGE_SIGNATURE_HEADER]: headers[EDGE_SIGNATURE_HEADER]! },
    ])
      expect(await check(broken)).toEqual({ valid: false, reason: 'malformed' });
  });
});

describe('core believes a client address only from the edge', () => {
  let database: TestDatabase;
  let core: ReturnType<typeof serveCore>;
  let strict: ReturnType<typeof serveCore>;
  beforeAll(async () => {
    database = await createTestDatabase('edgesig');
    core = serveCore({ db: database.db });
    strict = serveCore({ db: database.db, requireEdgeSignature: true });
  });
  afterAll(async () => {
    await core.stop();
    await strict.stop();
    await database.drop();
  });

  /** The client address core logged for a request, found by its request id. */
  async function loggedClient(url: string, logs: Record<string, unknown>[], init: RequestInit = {}) {
    const requestId = `edgesig-${crypto.randomUUID()}`;
    const headers = new Headers(init.headers);
    headers.set('x-request-id', requestId);
    const res = await fetch(url, { ...init, headers });
    await res.arrayBuffer();
    const line = logs.find((l) => l.requestId === requestId && l.msg === 'request');
    return {
      status: res.status,
      client: line?.client,
      warned: logs.some(
        (l) => l.requestId === requestId && l.msg === 'edge signature refused; using the peer address',
      ),
    };
  }

  test('a forged X-Forwarded-For sent straight to core is not believed: the peer address is', async () => {
    const seen = await loggedClient(`${core.url}/api/warehouses`, core.logs, {
      headers: {
        'x-forwarded-for': '203.0.113.66',
        forwarded: 'for=203.0.113.67',
        'x-real-ip': '203.0.113.68',
      },
    });
    expect(seen.status).toBe(401);
    expect(seen.client).toBe('127.0.0.1');
  });

  test('a forged edge client header without a valid signature is not believed either', async () => {
    const seen = await loggedClient(`${core.url}/api/warehouses`, core.logs, {
      headers: { [EDGE_CLIENT_HEADER]: '203.0.113.69' },
    });
    expect(seen.client).toBe('127.0.0.1');
  });

  test('a validly signed request is believed', async () => {
    const seen = await loggedClient(`${core.url}/api/warehouses?limit=5`, core.logs, {
      headers: await fromAddress('203.0.113.70', 'GET', '/api/warehouses?limit=5'),
    });
    expect(seen.client).toBe('203.0.113.70');
  });

  test('a tampered or stale signature is ignored (peer address, a warning logged)', async () => {
    const valid = await fromAddress('203.0.113.71', 'GET', '/api/warehouses');
    const stale = await edgeSignatureHeaders(TEST_EDGE_SIGNING_SECRET, {
      method: 'GET',
      pathAndQuery: '/api/warehouses',
      client: '203.0.113.72',
      timestamp: Math.floor(Date.now() / 1000) - EDGE_SIGNATURE_SKEW_SECONDS - 5,
    });
    for (const headers of [{ ...valid, [EDGE_CLIENT_HEADER]: '203.0.113.73' }, stale]) {
      const seen = await loggedClient(`${core.url}/api/warehouses`, core.logs, { headers });
      expect(seen.client).toBe('127.0.0.1');
      expect(seen.warned).toBe(true);
    }
  });

  test('a core that requires the edge refuses unsigned, tampered and stale /api/* calls with 403, not health', async () => {
    await expectProblem(await fetch(`${strict.url}/api/warehouses`), 403);
    const valid = await fromAddress('203.0.113.74', 'GET', '/api/warehouses');
    await expectProblem(
      await fetch(`${strict.url}/api/warehouses`, {
        headers: { ...valid, [EDGE_CLIENT_HEADER]: '203.0.113.75' },
      }),
      403,
    );
    await expectProblem(await fetch(`${strict.url}/api/warehouses`, { headers: valid }), 401); // signed: on to auth
    expect((await fetch(`${strict.url}/healthz`)).status).toBe(200);
  });
});
