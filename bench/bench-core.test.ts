/**
 * The benchmarks' pool closes for real before the runner stops Postgres: once close() resolves,
 * no connection of it is left on the server (else Postgres's shutdown terminates each, and the
 * bench printed a warning per pooled connection).
 */
import { expect, test } from 'bun:test';
import { useTestDatabase } from '../test/harness/database.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { connectBenchDatabase } from './bench-core.ts';

const database = useTestDatabase('bench-pool');

test('close() resolves once every pooled connection has ended on the server', async () => {
  const application = `bench-pool-${crypto.randomUUID().slice(0, 8)}`;
  const { log, lines } = captureLogger({ service: 'bench' });
  const handle = connectBenchDatabase(database().url, { max: 4, application, log });
  let ended = 0; // each client's 'end': its connection has closed
  handle.pool.on('connect', (client) => client.once('end', () => ended++));
  // Four at once, so the pool opens four connections.
  await Promise.all(Array.from({ length: 4 }, () => handle.pool.query('select pg_sleep(0.05)')));
  const connections = async () =>
    (
      await database().db.$client.query(
        'select count(*)::int as n from pg_stat_activity where application_name = $1',
        [application],
      )
    ).rows[0].n as number;
  expect(await connections()).toBe(4);
  await handle.close();
  expect(ended, 'connections still closing when close() resolved').toBe(4);
  expect(await connections()).toBe(0);
  expect(lines.filter((l) => l.msg === 'database connection error')).toEqual([]);
});
