/**
 * Trace context without a collector (the default): requests continue a caller's traceparent (or
 * start a trace) and log its id, building no span; jobs get the enqueuer's traceparent through
 * their payload (jobs/task.test.ts: the runner takes it out before the task's schema sees it). With a collector,
 * spans go as OTLP/HTTP JSON, and a collector that is down costs a warning, never an error.
 */
import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { captureLogger } from '../../test/harness/logs.ts';
import { otlpReceiver } from '../../test/harness/otlp-receiver.ts';
import { type RequestEnv, requestLogging, tracing } from './http.ts';
import { freePort } from './ports.ts';
import { TRACE_PAYLOAD_KEY, takeTrace, traceContext, withTrace } from './trace-context.ts';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, SpanKind, Tracer } from './tracing.ts';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';
const traceparent = `00-${traceId}-${spanId}-01`;

describe('traceparent', () => {
  test('a valid one gives its ids; anything else (zero ids, another version, capitals, junk) none', () => {
    expect(parseTraceparent(traceparent)).toEqual({ traceId, spanId });
    expect(formatTraceparent({ traceId, spanId })).toBe(traceparent);
    for (const bad of [
      `00-${'0'.repeat(32)}-${spanId}-01`,
      `00-${traceId}-${'0'.repeat(16)}-01`,
      `01-${traceId}-${spanId}-01`,
      traceparent.toUpperCase(),
      'junk',
      undefined,
    ])
      expect(parseTraceparent(bad)).toBeUndefined();
    expect(newTraceId()).toMatch(/^[0-9a-f]{32}$/);
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('a request without a collector', () => {
  const { log, lines } = captureLogger();
  const app = new Hono<RequestEnv>();
  app.use(tracing(undefined), requestLogging(log));
  app.get('/x', (c) => c.json({ trace: c.var.trace, current: traceContext.current() ?? null }));

  test("continues the caller's trace in its log line, and runs in no trace context", async () => {
    const res = await app.request('/x', { headers: { traceparent } });
    const body = (await res.json()) as { trace: { traceId: string; spanId: string }; current: null };
    expect(body.trace.traceId).toBe(traceId);
    expect(body.current).toBeNull();
    expect(lines.at(-1)).toMatchObject({ msg: 'request', traceId });
  });

  test('starts a trace of its own when the caller sent none or a malformed one', async () => {
    await app.request('/x', { headers: { traceparent: 'junk' } });
    expect(lines.at(-1)?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines.at(-1)?.traceId).not.toBe(traceId);
  });
});

describe('job payloads', () => {
  test('carry the current trace only inside one, and only as objects', () => {
    const payload = { orderId: 'o' };
    expect(withTrace(payload)).toBe(payload);
    traceContext.run(traceparent, () => {
      expect(withTrace(payload) as unknown).toEqual({ orderId: 'o', [TRACE_PAYLOAD_KEY]: traceparent });
      const batch = [{ scope: 'all' }];
      expect(withTrace(batch)).toBe(batch);
      expect(traceContext.detached(() => withTrace(payload))).toBe(payload);
    });
    expect(takeTrace({ orderId: 'o', [TRACE_PAYLOAD_KEY]: traceparent })).toEqual({
      payload: { orderId: 'o' },
      parent: { traceId, spanId },
    });
    expect(takeTrace([1])).toEqual({ payload: [1], parent: undefined });
  });
});

describe('the OTLP exporter', () => {
  test('sends ended spans as OTLP/HTTP JSON; a collector that is down is reported, not thrown', async () => {
    const collector = otlpReceiver();
    const errors: unknown[] = [];
    const tracer = new Tracer({
      endpoint: `${collector.url}/`,
      service: 'svc',
      onExportError: (e) => errors.push(e),
    });
    const span = tracer.start('work', SpanKind.internal, { traceId, spanId });
    span.set({ n: 3, ok: true, ratio: 0.5, missing: undefined });
    span.end('boom');
    expect(await tracer.flush()).toBe(true);
    expect(collector.spans).toEqual([
      expect.objectContaining({
        service: 'svc',
        traceId,
        parentSpanId: spanId,
        spanId: span.ids.spanId,
        name: 'work',
        kind: SpanKind.internal,
        status: { code: 2, message: 'boom' },
        attributes: [
          { key: 'n', value: { intValue: '3' } },
          { key: 'ok', value: { boolValue: true } },
          { key: 'ratio', value: { doubleValue: 0.5 } },
        ],
      }),
    ]);
    await collector.stop();
    const down = new Tracer({
      endpoint: `http://127.0.0.1:${await freePort()}`,
      service: 'svc',
      onExportError: (e) => errors.push(e),
    });
    down.start('lost', SpanKind.internal).end();
    expect(await down.flush()).toBe(false);
    expect(errors).toHaveLength(1);
  });
});
