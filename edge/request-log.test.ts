/**
 * Through the real edge (workerd): the edge writes its request line at info only for what it
 * answered itself. A request core answered is logged by core under the same request id, and a
 * successful call from the jobs runner to /internal/* (a feed tick, a snapshot) is routine: both go at debug, so at the default
 * level they cost no console line (several milliseconds each under wrangler dev).
 */
import { beforeAll, expect, test } from 'bun:test';
import type { Actor } from '../test/harness/auth.ts';
import { type TestEdge, testEdgeWithAdmin } from '../test/harness/edge.ts';
import { eventually, postJson } from '../test/harness/http.ts';

let edge: TestEdge;
let admin: Actor;
beforeAll(async () => {
  ({ edge, admin } = await testEdgeWithAdmin());
}, 120_000);

const edgeRequestLine = (requestId: string) =>
  edge.edgeLines.find((line) => line.includes(requestId) && line.includes('"msg":"request"'));

async function send(path: string, requestId: string, init: RequestInit = {}): Promise<number> {
  const headers = new Headers(init.headers);
  headers.set('x-request-id', requestId);
  const res = await fetch(`${edge.url}${path}`, { ...init, headers });
  await res.arrayBuffer();
  return res.status;
}

test('a request core answered is logged once, by core; what the edge refuses itself is logged by the edge', async () => {
  const run = crypto.randomUUID();
  const forwarded = `reqlog-forwarded-${run}`;
  const internal = `reqlog-internal-${run}`;
  const refused = `reqlog-refused-${run}`;

  expect(await send('/api/auth/me', forwarded, { headers: admin.headers })).toBe(200);
  const made = await postJson(
    `${edge.url}/api/warehouses`,
    { code: `RL${run.slice(0, 6)}`, name: 'Request log' },
    admin.headers,
  );
  expect(made.status).toBe(201);
  const { id } = (await made.json()) as { id: string };
  // One of the jobs runner's calls: a room's snapshot, with the internal secret.
  expect(
    await send(`/internal/warehouses/${id}/snapshot`, internal, {
      headers: { authorization: `Bearer ${edge.internalSecret}` },
    }),
  ).toBe(200);
  // No credentials: the edge answers 401 without asking core.
  expect(await send('/api/auth/me', refused)).toBe(401);

  // The refused request's line comes after the other two's would have (one isolate, in order).
  const refusedLine = await eventually(async () => edgeRequestLine(refused));
  expect(refusedLine).toContain('"status":401');
  expect(refusedLine).toContain('"level":"info"');
  expect(edgeRequestLine(forwarded)).toBeUndefined();
  expect(edgeRequestLine(internal)).toBeUndefined();
  // Core wrote the forwarded request's line, with the edge's request id.
  const coreLine = await eventually(async () =>
    edge.coreLogs.find((l) => l.requestId === forwarded && l.msg === 'request'),
  );
  expect(coreLine).toMatchObject({ level: 'info', method: 'GET', path: '/api/auth/me', status: 200 });
});

test('a path no core service owns is answered, and logged at info, by the edge', async () => {
  const unknown = `reqlog-unknown-${crypto.randomUUID()}`;
  expect(await send('/api/no-such-service', unknown, { headers: admin.headers })).toBe(404);
  const line = await eventually(async () => edgeRequestLine(unknown));
  expect(line).toContain('"level":"info"');
});
