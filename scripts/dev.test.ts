/**
 * `bun run dev` as a user runs it: it comes up with /healthz, /openapi.json and /docs answering
 * through the edge, stops every process on SIGTERM, and a second run reuses the data.
 */
import { afterAll, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portIsFree } from '../core/platform/ports.ts';
import { bearer, login } from '../test/harness/auth.ts';

const root = join(import.meta.dir, '..');
const dir = mkdtempSync(join(tmpdir(), 'varastokkr-devtest-'));
chmodSync(dir, 0o755); // as root, Postgres runs as "postgres", which must reach the data
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ports = {
  EDGE_PORT: await freePort(),
  CORE_PORT: await freePort(),
  WS_PROXY_PORT: await freePort(),
  EMBEDDED_PG_PORT: await freePort(),
};

async function runDev(signal: NodeJS.Signals) {
  const proc = Bun.spawn(['bun', 'run', 'dev'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let output = '';
  const decoder = new TextDecoder();
  const reader = proc.stdout.getReader();
  const deadline = Date.now() + 120_000;
  while (!output.includes('Varastokkr is up in')) {
    const { value, done } = await reader.read();
    if (done || Date.now() > deadline)
      throw new Error(`dev did not come up:\n${output}\n${await new Response(proc.stderr).text()}`);
    output += decoder.decode(value);
  }
  const base = `http://127.0.0.1:${ports.EDGE_PORT}`;
  const statuses = await Promise.all(
    ['/healthz', '/openapi.json', '/docs'].map(async (p) => (await fetch(base + p)).status),
  );
  const { accessToken } = await login(base, 'admin@example.com', 'admin-dev-password');
  const warehouses = (await (
    await fetch(`${base}/api/warehouses`, { headers: bearer(accessToken) })
  ).json()) as {
    items: { code: string }[];
  };

  proc.kill(signal);
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      output += decoder.decode(value);
    }
  })();
  const exitCode = await proc.exited;
  await pump;
  const stillBound = [];
  for (const [name, port] of Object.entries(ports)) if (!(await portIsFree(port))) stillBound.push(name);
  return { output, statuses, codes: warehouses.items.map((w) => w.code), exitCode, stillBound };
}

test('comes up, answers, and stops everything on SIGTERM; a second run reuses the data', async () => {
  const first = await runDev('SIGTERM');
  expect(first.statuses).toEqual([200, 200, 200]);
  expect(first.output).toContain('initialising a new Postgres cluster');
  expect(first.output).toContain('Admin login    admin@example.com');
  expect(first.codes).toEqual(['BER', 'HEL', 'NYC']);
  expect(first.exitCode).toBe(0);
  expect(first.stillBound).toEqual([]);

  const second = await runDev('SIGINT');
  expect(second.statuses).toEqual([200, 200, 200]);
  expect(second.output).not.toContain('initialising a new Postgres cluster');
  expect(second.codes).toEqual(['BER', 'HEL', 'NYC']);
  expect(second.exitCode).toBe(0);
  expect(second.stillBound).toEqual([]);
}, 300_000);
