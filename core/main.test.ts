/**
 * `bun core/main.ts` as a real process: one service alone, argument errors, graceful SIGTERM.
 */
import { describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { useTestDatabase } from '../test/harness/database.ts';
import { eventually, expectProblem } from '../test/harness/http.ts';
import { edgeSignatureHeaders } from './platform/edge-signature.ts';
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

describe('NODE_ENV=production', () => {
  const secrets = {
    ADMIN_PASSWORD: 'a-real-admin-password',
    CORE_INTERNAL_SECRET: `core-internal-${'x'.repeat(32)}`,
    EDGE_INTERNAL_SECRET: `edge-internal-${'x'.repeat(32)}`,
    EDGE_SIGNING_SECRET: `edge-signing-${'x'.repeat(32)}`,
    SIGNING_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  };

  test.each([
    ['core', 'core/main.ts', 'ADMIN_PASSWORD', { ADMIN_PASSWORD: 'admin-dev-password' }],
    ['core', 'core/main.ts', 'EDGE_SIGNING_SECRET', { EDGE_SIGNING_SECRET: '' }],
    ['jobs', 'jobs/main.ts', 'CORE_INTERNAL_SECRET', { CORE_INTERNAL_SECRET: '' }],
    ['the seed', 'db/seed.ts', 'DATABASE_URL', { DATABASE_URL: '' }],
  ])('%s (%s) refuses to start on a default or missing %s, naming it', async (_, entry, name, change) => {
    const proc = Bun.spawn(['bun', entry], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: database().url, ...secrets, ...change },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    expect(await proc.exited).toBe(2);
    const stderr = await new Response(proc.stderr).text();
    expect(stderr).toContain(`${name}: is`);
    expect(stderr.match(/: is /g)).toHaveLength(1); // only the one named, not the others
    expect(stderr).not.toContain('admin-dev-password');
  });

  test('with every secret set core starts, and answers /api/* only to requests the edge signed', async () => {
    const previousSigningSecret = `edge-signing-previous-${'x'.repeat(32)}`;
    const port = await freePort();
    const proc = Bun.spawn(['bun', 'core/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: database().url,
        CORE_PORT: String(port),
        ...secrets,
        EDGE_SIGNING_SECRET_PREVIOUS: previousSigningSecret,
      },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await eventually(
        async () => ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok ? true : undefined),
        20_000,
      );
      await expectProblem(
        await fetch(`${url}/api/warehouses`, { headers: { 'x-forwarded-for': '203.0.113.5' } }),
        403,
      );
      const signed = await edgeSignatureHeaders(secrets.EDGE_SIGNING_SECRET, {
        method: 'GET',
        pathAndQuery: '/api/warehouses',
        client: '203.0.113.5',
      });
      await expectProblem(await fetch(`${url}/api/warehouses`, { headers: signed }), 401); // past the edge check
      // During a rotation, edges still on the previous secret get through; any other secret does not.
      for (const [secret, status] of [
        [previousSigningSecret, 401],
        [`some-other-secret-${'x'.repeat(32)}`, 403],
      ] as const) {
        const headers = await edgeSignatureHeaders(secret, {
          method: 'GET',
          pathAndQuery: '/api/warehouses',
          client: '203.0.113.5',
        });
        await expectProblem(await fetch(`${url}/api/warehouses`, { headers }), status);
      }
      // A signature is for its own path: replayed on another, it is refused.
      await expectProblem(await fetch(`${url}/api/orders`, { headers: signed }), 403);
      expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200); // the edge's JWKS fetch is unsigned
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await proc.exited).toBe(0);
  });
});
