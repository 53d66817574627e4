/**
 * The Postgres launcher with real binaries: a clear error when the port is taken, and a second
 * start on a running data directory attaches instead of fighting over it.
 */
import { afterAll, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../core/platform/ports.ts';
import { type PostgresServer, startPostgres } from './postgres-server.ts';

const dirs: string[] = [];
const servers: PostgresServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'varastokkr-pgtest-'));
  chmodSync(dir, 0o755); // as root, Postgres runs as "postgres", which must reach data/
  dirs.push(dir);
  return join(dir, 'data');
}

test('a taken port is refused with a message that says what to do', async () => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const attempt = startPostgres({ dataDir: tempDir(), port, password: 'pw-for-test', ephemeral: true });
    await expect(attempt).rejects.toThrow(`Port ${port} is taken`);
    await expect(attempt).rejects.toThrow('EMBEDDED_PG_PORT');
  } finally {
    blocker.close();
  }
});

test('starts a real server, and a second start on the same data directory attaches to it', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  const first = await startPostgres({ dataDir, port, password: 's3cret pass/word', ephemeral: true });
  servers.push(first);
  expect(first.owned).toBe(true);

  const second = await startPostgres({ dataDir, port: await freePort(), password: 's3cret pass/word' });
  expect(second.owned).toBe(false);
  expect(second.port).toBe(port);

  const client = new pg.Client({ connectionString: second.url('postgres') });
  await client.connect();
  const { rows } = await client.query('show server_version');
  await client.end();
  expect(rows[0].server_version).toMatch(/^\d+\.\d+/);
});
