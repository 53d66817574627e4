/**
 * /healthz is open to anyone: through the real edge, a burst of callers costs one check of the
 * database (from the edge and from core), and a failing dependency's 503 names no host or URL.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../core/platform/ports.ts';
import { type TestEdge, testEdge } from '../test/harness/edge.ts';
import { eventually, expectProblem } from '../test/harness/http.ts';
import { startWrangler, type WranglerHandle } from './local/wrangler-dev.ts';

let edge: TestEdge;
beforeAll(async () => {
  edge = await testEdge();
}, 120_000);

const coreChecks = () => edge.coreLogs.filter((l) => l.msg === 'health check: database checked').length;

describe('GET /healthz under a burst', () => {
  test('50 concurrent callers: all 200, at most one database check at the edge and one in core', async () => {
    // Let any check of an earlier call age out of its second first, without timing anything:
    // wait until a call causes a fresh check.
    await eventually(async () => {
      const before = edge.edgeDatabaseConnections();
      await fetch(`${edge.url}/healthz`);
      return edge.edgeDatabaseConnections() > before ? true : undefined;
    });
    const edgeBefore = edge.edgeDatabaseConnections();
    const coreBefore = coreChecks();
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${edge.url}/healthz`)));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(await answers[0]!.json()).toMatchObject({ status: 'ok', database: { status: 'ok' } });
    // The burst may straddle the end of the last check's second: then it starts one more.
    expect(edge.edgeDatabaseConnections() - edgeBefore).toBeLessThanOrEqual(1);
    expect(coreChecks() - coreBefore).toBeLessThanOrEqual(1);
  });
});

describe('GET /healthz with its dependencies down', () => {
  let dead: WranglerHandle;
  const persistTo = mkdtempSync(join(tmpdir(), 'varastokkr-test-health-'));
  let corePort: number;
  let pgPort: number;
  beforeAll(async () => {
    [corePort, pgPort] = [await freePort(), await freePort()];
    dead = await startWrangler({
      port: await freePort(),
      inspectorPort: await freePort(),
      persistTo,
      vars: {
        CORE_URL: `http://127.0.0.1:${corePort}`,
        DATABASE_URL: `postgres://secret-user:secret-pass@127.0.0.1:${pgPort}/internal_db`,
        NEON_WS_PROXY: `127.0.0.1:${pgPort}/v1`,
        LOG_LEVEL: 'info',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await dead?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  });

  test('503 says which checks failed, but no host, port, URL or error text', async () => {
    const res = await fetch(`${dead.url}/healthz`);
    const body = await expectProblem(res, 503, 'unavailable');
    expect(body).toMatchObject({
      checks: { core: { status: 'down' }, database: { status: 'down' }, durableObjects: { status: 'ok' } },
    });
    for (const check of Object.values((body as unknown as { checks: Record<string, object> }).checks))
      expect(Object.keys(check).toSorted()).toEqual(['latencyMs', 'status']);
    // Everything but the problem type (a public URL) and the request id (random hex).
    const { type: _type, requestId: _requestId, ...said } = body as Record<string, unknown>;
    const text = JSON.stringify(said);
    for (const secret of ['127.0.0.1', String(corePort), String(pgPort), 'http', 'secret', 'internal_db'])
      expect(text).not.toContain(secret);
  });
});
