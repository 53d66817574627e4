/** The jobs runner's /healthz: 200 while its runners run, 503 problem+json once they stopped. */
import { expect, test } from 'bun:test';
import { freePort } from '../core/platform/ports.ts';
import { expectProblem } from '../test/harness/http.ts';
import { serveJobsHealth } from './health.ts';

test('answers 200 while running and 503 once the runners stopped; nothing else is served', async () => {
  let running = true;
  const health = serveJobsHealth({ hostname: '127.0.0.1', port: await freePort(), running: () => running });
  const url = `http://127.0.0.1:${health.port}`;
  try {
    const ok = await fetch(`${url}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', service: 'jobs' });
    expect((await fetch(`${url}/api/products`)).status).toBe(404);
    running = false;
    const body = await expectProblem(await fetch(`${url}/healthz`), 503, 'unavailable');
    expect(body.detail).toContain('stopped');
  } finally {
    await health.stop();
  }
});
