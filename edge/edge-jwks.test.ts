/**
 * When the edge cannot fetch core's key set (core unreachable, or answering 5xx), a request
 * with a good token is our outage, not the caller's: 503 problem+json with Retry-After, never a
 * 401 (on which clients sign their users out). On a stack of its own whose identity service is
 * reached through a switch the test controls, before the edge has ever cached the key set.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { freePort } from '../core/platform/ports.ts';
import { bearer, login } from '../test/harness/auth.ts';
import { type EdgeStack, startEdgeStack } from '../test/harness/edge.ts';
import { expectProblem } from '../test/harness/http.ts';
import { roomUrl, upgradeStatus } from '../test/harness/room-socket.ts';
import { type StockWorld, stockWorld } from '../test/harness/stock.ts';

let stack: EdgeStack;
let w: StockWorld;
let identityPort: number;
let identity: Server<unknown> | undefined;
let mode: 'failing' | 'up' = 'failing';

/** Core's identity service as the edge sees it: answering 500 for the key set, or passed through. */
function serveIdentity(coreUrl: string) {
  identity = Bun.serve({
    hostname: '127.0.0.1',
    port: identityPort,
    fetch: (req) => {
      const url = new URL(req.url);
      if (mode === 'failing' && url.pathname === '/.well-known/jwks.json')
        return new Response('upstream trouble', { status: 500 });
      return fetch(new URL(url.pathname + url.search, coreUrl), {
        method: req.method,
        headers: req.headers,
        body: req.body,
      });
    },
  });
}

beforeAll(async () => {
  identityPort = await freePort();
  stack = await startEdgeStack({
    name: 'edge-jwks',
    jobs: false,
    edgeVars: () => ({ CORE_URL_IDENTITY: `http://127.0.0.1:${identityPort}` }),
  });
  serveIdentity(stack.coreUrl);
  // Signed in through the edge, which forwards a login without verifying any token: it has not
  // fetched the key set yet.
  w = await stockWorld({ url: stack.url, db: stack.database.db }, { warehouses: 1, skus: 1 });
}, 120_000);

afterAll(async () => {
  identity?.stop(true);
  await stack?.stop();
});

async function expectUnavailable(res: Response) {
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  const body = await expectProblem(res, 503);
  expect(body.detail).toContain('retry');
}

/**
 * One scenario, in one test: each step needs the edge's state after the one before (a key set
 * never fetched, then an identity service gone, then back), so the steps cannot run apart.
 */
test('the key set: answering 500 or unreachable is a 503 with Retry-After; once fetched, the same token is accepted', async () => {
  // A key set that answers 500 is a 503 with Retry-After, for REST and for a room.
  await expectUnavailable(await fetch(`${stack.url}/api/products`, { headers: w.admin.headers }));
  const upgrade = await upgradeStatus(roomUrl(stack.url, w.warehouses[0]!.id, w.admin.accessToken));
  expect(upgrade.status, upgrade.body).toBe(503);
  expect(upgrade.headers.get('retry-after')).toMatch(/^\d+$/);

  // An identity service that cannot be reached is a 503 too.
  identity?.stop(true);
  await expectUnavailable(await fetch(`${stack.url}/api/products`, { headers: w.admin.headers }));

  // Once the key set can be fetched, the same token is accepted, and a bad one is still a 401.
  mode = 'up';
  serveIdentity(stack.coreUrl);
  const res = await fetch(`${stack.url}/api/products`, { headers: w.admin.headers });
  expect(res.status, await res.clone().text()).toBe(200);
  const fresh = await login(stack.url, w.admin.user.email, w.admin.password);
  expect((await fetch(`${stack.url}/api/products`, { headers: bearer(fresh.accessToken) })).status).toBe(200);
  await expectProblem(await fetch(`${stack.url}/api/products`, { headers: bearer('abc.def.ghi') }), 401);
});
