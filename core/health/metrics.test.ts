/**
 * Core's GET /metrics on the test stack: Prometheus text a strict reader accepts, counting a
 * request made through the real edge under its route pattern (not its URL), for METRICS_TOKEN
 * only; and who may read it without a token configured (development: anyone; production: no one).
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import type { Actor } from '../../test/harness/auth.ts';
import { TEST_METRICS_TOKEN, testAuthSettings } from '../../test/harness/core.ts';
import { type TestEdge, testEdgeWithAdmin } from '../../test/harness/edge.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { captureLogger } from '../../test/harness/logs.ts';
import { parsePrometheus, sampleValue } from '../../test/harness/prometheus.ts';
import { createCoreApp } from '../app.ts';
import type { MetricsAccess } from '../platform/http-metrics.ts';
import { serviceNames } from '../services.ts';

let edge: TestEdge;
let admin: Actor;
beforeAll(async () => {
  ({ edge, admin } = await testEdgeWithAdmin());
}, 120_000);

async function scrape(): Promise<ReturnType<typeof parsePrometheus>> {
  const res = await fetch(`${edge.coreUrl}/metrics`, {
    headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toStartWith('text/plain; version=0.0.4');
  return parsePrometheus(await res.text());
}

const orderReads = { method: 'GET', route: '/api/orders/:id', status: '4xx' };
const count = 'varastokkr_http_request_duration_seconds_count';

describe('GET /metrics on core', () => {
  test('parses as Prometheus text and counts a request through the edge by its route pattern', async () => {
    const before = sampleValue(await scrape(), count, orderReads) ?? 0;
    const id = crypto.randomUUID();
    const res = await fetch(`${edge.url}/api/orders/${id}`, { headers: admin.headers });
    expect(res.status).toBe(404);
    const after = await scrape();
    expect(after.types.get('varastokkr_http_request_duration_seconds')).toBe('histogram');
    expect(sampleValue(after, count, orderReads)).toBeGreaterThanOrEqual(before + 1);
    // The pattern, never the URL: no series carries the order's id.
    expect(after.samples.filter((s) => Object.values(s.labels).some((v) => v.includes(id)))).toEqual([]);
    // The batchers report too: signing in looked the session up through its batcher.
    expect(after.types.get('varastokkr_batch_size')).toBe('histogram');
    expect(sampleValue(after, 'varastokkr_batch_size_count', { batcher: 'sessions' })).toBeGreaterThan(0);
  });

  test('401 without the token or with a wrong one', async () => {
    const none = await fetch(`${edge.coreUrl}/metrics`);
    await expectProblem(none, 401, 'unauthorized');
    expect(none.headers.get('www-authenticate')).toStartWith('Bearer');
    const wrong = await fetch(`${edge.coreUrl}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}x` },
    });
    await expectProblem(wrong, 401, 'unauthorized');
  });

  test('the edge does not forward /metrics (only /api/* reaches core)', async () => {
    const res = await fetch(`${edge.url}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    // The dashboard's single-page fallback answers, never core's metrics.
    expect(res.headers.get('content-type')).not.toContain('version=0.0.4');
    expect(await res.text()).not.toContain('varastokkr_http_request_duration_seconds');
  });

  test('without METRICS_TOKEN: 403 naming it in production, open in development', async () => {
    const app = (metrics: MetricsAccess) =>
      createCoreApp({
        db: edge.database.db,
        log: captureLogger().log,
        services: serviceNames,
        maxBodyBytes: 1024,
        auth: testAuthSettings(),
        metrics,
      });
    const refused = await expectProblem(
      await app({ production: true }).request('/metrics'),
      403,
      'forbidden',
    );
    expect(refused.detail).toContain('METRICS_TOKEN');
    const open = await app({ production: false }).request('/metrics');
    expect(open.status).toBe(200);
    parsePrometheus(await open.text());
  });
});
