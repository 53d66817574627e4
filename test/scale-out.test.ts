/**
 * Scale-out, proven: the hot-sku race through the edge against three core processes (behind a
 * round-robin balancer, as a Kubernetes Service spreads them) and two jobs runners, all over one
 * database. Many shoppers order the last units of one sku at once. Afterwards: exactly the
 * stock was sold (zero oversell, every refusal a 409), every warehouse room converged with
 * Postgres, each order.created event was delivered to the webhook once (two runners, no
 * double delivery), and `verify:invariants` (rooms included) finds nothing wrong.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { freePort } from '../core/platform/ports.ts';
import { type ServiceProcess, spawnService } from '../scripts/service-process.ts';
import { verifyInvariants } from '../scripts/verify-invariants.ts';
import { type Balancer, roundRobin } from './harness/balancer.ts';
import { TEST_EDGE_SIGNING_SECRET } from './harness/core.ts';
import { type EdgeStack, startEdgeStack } from './harness/edge.ts';
import { eventually } from './harness/http.ts';
import { receive, type StockWorld, stockWorld } from './harness/stock.ts';
import { type WebhookReceiver, webhookReceiver } from './harness/webhook-receiver.ts';

const CORES = 3;
const RUNNERS = 2;
/** Units of the hot sku in each of the two warehouses. */
const UNITS = 15;
const SHOPPERS = 12;
const ORDERS = 75;

let balancer: Balancer;
let stack: EdgeStack;
let receiver: WebhookReceiver;
let w: StockWorld;
const services: ServiceProcess[] = [];
const lines: string[] = [];
const jobsHealth: string[] = [];

/** A service as a process of its own, its output kept for a failure's message. */
function start(name: string, entry: string, env: Record<string, string>): ServiceProcess {
  const service = spawnService(name, ['bun', entry], env, (line) => {
    lines.push(`[${name}] ${line}`);
    if (lines.length > 200) lines.shift();
  });
  services.push(service);
  return service;
}

const answers200 = (url: string) =>
  eventually(
    async () => ((await fetch(url).catch(() => undefined))?.status === 200 ? true : undefined),
    60_000,
  );

beforeAll(async () => {
  balancer = roundRobin();
  stack = await startEdgeStack({
    name: 'scale',
    jobs: false,
    edgeVars: () => ({ CORE_URL: balancer.url }),
  });
  const shared = {
    DATABASE_URL: stack.database.url,
    EDGE_URL: stack.url,
    EDGE_INTERNAL_SECRET: stack.internalSecret,
    EDGE_SIGNING_SECRET: TEST_EDGE_SIGNING_SECRET,
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    DB_POOL_MAX: '5',
    LOG_LEVEL: 'warn',
  };
  const cores: string[] = [];
  for (let i = 0; i < CORES; i++) {
    const port = await freePort();
    start(`core-${i}`, 'core/main.ts', { ...shared, CORE_HOST: '127.0.0.1', CORE_PORT: String(port) });
    cores.push(`http://127.0.0.1:${port}`);
  }
  for (let i = 0; i < RUNNERS; i++) {
    const port = await freePort();
    start(`jobs-${i}`, 'jobs/main.ts', { ...shared, JOBS_HEALTH_PORT: String(port), JOBS_CONCURRENCY: '2' });
    jobsHealth.push(`http://127.0.0.1:${port}/healthz`);
  }
  await Promise.all([...cores.map((c) => answers200(`${c}/readyz`)), ...jobsHealth.map(answers200)]);
  balancer.setBackends(cores);

  w = await stockWorld({ url: stack.url, db: stack.database.db }, { warehouses: 2, skus: 1 });
  for (const { id } of w.warehouses) await receive(w, id, w.skus[0] ?? '', UNITS);
  receiver = await webhookReceiver({ answer: 204 });
  receiver.up();
  const sub = await w.api.post('/api/webhooks', { url: receiver.url, events: ['order.created'] });
  expect(sub.status, await sub.clone().text()).toBe(201);
  // Read once through the edge, so both rooms are filled before the race: what they show after
  // it, only the feed brought.
  expect((await availability()).warehouses.map((x) => x.available)).toEqual([UNITS, UNITS]);
}, 180_000);

/** The hot sku's availability as shoppers see it: from the warehouse rooms at the edge. */
async function availability() {
  const res = await w.api.get(`/api/products/${w.skus[0]}/availability`);
  expect(res.status).toBe(200);
  return (await res.json()) as { warehouses: { warehouseId: string; available: number }[] };
}

afterAll(async () => {
  receiver?.stop();
  await Promise.all(services.map((s) => s.stop()));
  await stack?.stop();
  await balancer?.stop();
});

test('the hot-sku race over three cores and two runners: no oversell, rooms converged, each event delivered once', async () => {
  const sku = w.skus[0] ?? '';
  const statuses: number[] = [];
  const created: string[] = [];
  const before = new Map(balancer.served);
  let left = ORDERS;
  const shopper = async () => {
    while (left-- > 0) {
      const res = await w.api.post('/api/orders', { lines: [{ sku, qty: 1 }] });
      statuses.push(res.status);
      if (res.status === 201) created.push(((await res.json()) as { id: string }).id);
      else await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: SHOPPERS }, shopper));

  const failure = () => lines.slice(-40).join('\n');
  // Exactly the stock was sold; every other shopper was told it is out of stock.
  expect(created.length, failure()).toBe(2 * UNITS);
  expect(
    statuses.filter((s) => s !== 201 && s !== 409),
    failure(),
  ).toEqual([]);
  // Every replica took orders in the race.
  expect(balancer.served.size).toBe(CORES);
  for (const [backend, n] of balancer.served)
    expect(n - (before.get(backend) ?? 0), `race requests to ${backend}`).toBeGreaterThan(0);

  // Each order.created event reached the receiver once, from whichever runner took its job.
  const db = stack.database.db.$client;
  await eventually(async () => {
    const { rows } = await db.query(
      `select count(*) filter (where status = 'succeeded')::int as done, count(*)::int as all
       from webhooks.deliveries where event_type = 'order.created'`,
    );
    return rows[0]?.done === created.length && rows[0]?.all === created.length ? true : undefined;
  }, 60_000);
  const delivered = receiver.received.map((r) => String(r.json.data.id));
  expect(delivered.toSorted()).toEqual(created.toSorted());

  // The rooms show it sold out, as Postgres does; both runners are still live, and the whole
  // system (every room included) is consistent.
  await eventually(async () =>
    (await availability()).warehouses.every((x) => x.available === 0) ? true : undefined,
  );
  for (const url of jobsHealth) expect((await fetch(url)).status).toBe(200);
  const found = await verifyInvariants({
    databaseUrl: stack.database.url,
    edge: { url: stack.url, secret: stack.internalSecret },
    settleMs: 30_000,
  });
  expect(found).toEqual([]);
  const { rows } = await db.query(
    `select sum(on_hand)::int as on_hand, sum(reserved)::int as reserved
     from inventory.stock_levels where sku = $1`,
    [sku],
  );
  expect(rows[0]).toEqual({ on_hand: 2 * UNITS, reserved: 2 * UNITS });
}, 120_000);
