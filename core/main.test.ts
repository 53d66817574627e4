/**
 * `bun core/main.ts` as a real process: one service alone, argument errors, graceful SIGTERM.
 */
import { expect, test } from 'bun:test';
import { join } from 'node:path';
import { useTestDatabase } from '../test/harness/database.ts';
import { eventually } from '../test/harness/http.ts';
import { freePort } from './platform/ports.ts';

const database = useTestDatabase('main');
const root = join(import.meta.dir, '..');

test('--service inventory runs that service alone and stops gracefully on SIGTERM', async () => {
  const port = await freePort();
  const proc = Bun.spawn(['bun', 'core/main.ts', '--service', 'inventory'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database().url, CORE_PORT: String(port), LOG_LEVEL: 'info' },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    const health = await eventually(async () => {
      const res = await fetch(`${url}/healthz`).catch(() => undefined);
      return res?.ok ? ((await res.json()) as { services: string[] }) : undefined;
    }, 20_000);
    expect(health.services).toEqual(['inventory']);
    expect((await fetch(`${url}/api/warehouses`)).status).toBe(401); // inventory answers, and wants credentials
    expect((await fetch(`${url}/api/products`)).status).toBe(404); // catalog is not in this process
  } finally {
    proc.kill('SIGTERM');
  }
  expect(await proc.exited).toBe(0);
  const out = await new Response(proc.stdout).text();
  expect(out).toContain('stopping: finishing in-flight requests');
  expect(out).not.toContain(database().url.split('@')[0]!.split(':').at(-1)!); // no password in logs
});

test('an unknown service name is refused with the list of services', async () => {
  const proc = Bun.spawn(['bun', 'core/main.ts', '--service', 'teleport'], { cwd: root, stderr: 'pipe' });
  expect(await proc.exited).toBe(2);
  expect(await new Response(proc.stderr).text()).toContain('choose from identity, catalog, inventory');
});
