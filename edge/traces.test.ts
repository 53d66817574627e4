/**
 * OpenTelemetry through the whole stack: a request through the real edge (workerd) continues the
 * caller's W3C traceparent; core's span continues the edge's; the job the request enqueued
 * continues core's (through its payload); and each process exports its spans over OTLP/HTTP to
 * an in-process collector. Core's log line for the request carries the same trace id.
 *
 * A webhook subscription wants the events here: the event mover hands them to a publish-event job
 * (to queue their deliveries), the job whose span is looked for. Without one they are archived in
 * the move itself, and no job runs.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { configSchema } from '../core/platform/config.ts';
import { parseEnv } from '../core/platform/env.ts';
import { newSpanId, newTraceId, SpanKind } from '../core/platform/tracing.ts';
import { webhookSettingsFrom } from '../core/webhooks/settings.ts';
import { createSubscription } from '../core/webhooks/subscriptions.ts';
import { type Actor, signedIn } from '../test/harness/auth.ts';
import { type EdgeStack, startEdgeStack } from '../test/harness/edge.ts';
import { eventually } from '../test/harness/http.ts';
import { otlpReceiver, type ReceivedSpan } from '../test/harness/otlp-receiver.ts';
import { receive, stockWorld } from '../test/harness/stock.ts';
import { adminKeyOwner, type WebhookReceiver, webhookReceiver } from '../test/harness/webhook-receiver.ts';

const collector = otlpReceiver();
let stack: EdgeStack;
let admin: Actor;
let receiver: WebhookReceiver | undefined;

beforeAll(async () => {
  stack = await startEdgeStack({ name: 'traces', jobs: true, otlpEndpoint: collector.url });
  admin = await signedIn({ url: stack.url, db: stack.database.db }, { roles: ['admin'] });
  // A receiver of our own that answers at once: no delivery outlives the test.
  receiver = await webhookReceiver();
  const { keyEncryption } = webhookSettingsFrom(parseEnv(configSchema, {}));
  const owner = await adminKeyOwner(stack.database.db);
  const events: ('warehouse.created' | 'order.created')[] = ['warehouse.created', 'order.created'];
  await createSubscription(stack.database.db, owner, { url: receiver.url, events }, keyEncryption);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await collector.stop();
  receiver?.stop();
});

const inTrace = (traceId: string, service: string, name: string) => (s: ReceivedSpan) =>
  s.traceId === traceId && s.service === service && s.name === name;

/** The spans of `traceId` named by service and name, once all have arrived. */
const spansOf = (traceId: string, wanted: [service: string, name: string][]) =>
  eventually(async () => {
    const found = wanted.map(([service, name]) => collector.spans.find(inTrace(traceId, service, name)));
    return found.every(Boolean) ? (found as ReceivedSpan[]) : undefined;
  }, 30_000);

const traced = (traceId: string, callerSpan: string, headers: Record<string, string>) => ({
  ...headers,
  'content-type': 'application/json',
  traceparent: `00-${traceId}-${callerSpan}-01`,
});

test('one request: the edge, core and the job it enqueued export spans of one trace, each under the last', async () => {
  const traceId = newTraceId();
  const callerSpan = newSpanId();
  const res = await fetch(`${stack.url}/api/warehouses`, {
    method: 'POST',
    headers: traced(traceId, callerSpan, admin.headers),
    body: JSON.stringify({ code: `TR${Math.floor(Math.random() * 1e6)}`, name: 'Traced' }),
  });
  expect(res.status).toBe(201);

  const [edge, core, job] = await spansOf(traceId, [
    ['varastokkr-edge', 'POST /api/*'],
    ['varastokkr-core', 'POST /api/warehouses'],
    ['varastokkr-jobs', 'job publish-event'],
  ]);
  expect(edge?.parentSpanId).toBe(callerSpan);
  expect(edge?.kind).toBe(SpanKind.server);
  expect(core?.parentSpanId).toBe(edge?.spanId);
  expect(core?.kind).toBe(SpanKind.server);
  expect(core?.attributes).toContainEqual({ key: 'http.response.status_code', value: { intValue: '201' } });
  expect(job?.parentSpanId).toBe(core?.spanId);
  expect(job?.kind).toBe(SpanKind.consumer);
  expect(job?.status.code).toBe(0);
  // The request's own log line (core's) names the trace.
  expect(
    stack.coreLogs.find((l) => l.msg === 'request' && l.path === '/api/warehouses' && l.traceId === traceId),
  ).toBeDefined();
});

test("an order written in a batch: its order.created job continues the order's request, not the batch's", async () => {
  const world = await stockWorld({ url: stack.url, db: stack.database.db }, { warehouses: 1, skus: 1 });
  const [warehouse] = world.warehouses;
  const [sku] = world.skus;
  if (!warehouse || !sku) throw new Error('stockWorld made no warehouse or product');
  await receive(world, warehouse.id, sku, 10);
  const traceId = newTraceId();
  const res = await fetch(`${stack.url}/api/orders`, {
    method: 'POST',
    headers: traced(traceId, newSpanId(), world.admin.headers),
    body: JSON.stringify({ warehouseId: warehouse.id, lines: [{ sku, qty: 1 }] }),
  });
  expect(res.status).toBe(201);
  const [core, job] = await spansOf(traceId, [
    ['varastokkr-core', 'POST /api/orders'],
    ['varastokkr-jobs', 'job publish-event'],
  ]);
  expect(job?.parentSpanId).toBe(core?.spanId);
});
