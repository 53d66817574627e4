/**
 * The local WebSocket-to-TCP proxy refuses addresses it does not serve and closes the
 * WebSocket when Postgres is unreachable. (The happy path runs in edge.test.ts: the edge's
 * health check queries Postgres through it with the Neon driver.)
 */
import { afterAll, expect, test } from 'bun:test';
import { freePort } from '../core/platform/ports.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { startWsProxy } from './local/ws-proxy.ts';

const deadPort = await freePort();
const { log, lines } = captureLogger();
const proxy = startWsProxy({ port: 0, allowed: [`127.0.0.1:${deadPort}`], log });
afterAll(() => proxy.stop(true));

test('an address other than the configured Postgres is refused', async () => {
  const res = await fetch(`http://127.0.0.1:${proxy.port}/v1?address=169.254.169.254:80`);
  expect(res.status).toBe(403);
  expect((await fetch(`http://127.0.0.1:${proxy.port}/v1`)).status).toBe(403);
});

test('an allowed Postgres that does not answer closes the WebSocket with 1011', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/v1?address=127.0.0.1:${deadPort}`);
  const code = await new Promise<number>((done) => ws.addEventListener('close', (e) => done(e.code)));
  expect(code).toBe(1011);
  expect(lines.some((l) => l.msg === 'ws-proxy: cannot reach postgres')).toBe(true);
});
