/**
 * Whether a failed login's timing tells an unknown email from a wrong password. Sends the two
 * kinds of attempt interleaved, one at a time, through core's real POST /api/auth/login (throttling
 * raised out of the way), and prints each median and their ratio (1.00 means indistinguishable).
 * The seeded admin's right password is measured too, for scale.
 */
import { createCoreApp } from '../core/app.ts';
import { authSettingsFrom } from '../core/identity/settings.ts';
import { config } from '../core/platform/config.ts';
import { createLogger } from '../core/platform/logger.ts';
import { serviceNames } from '../core/services.ts';
import { connectBenchDatabase } from './bench-core.ts';
import type { BenchContext } from './run.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function run(ctx: BenchContext): Promise<void> {
  const log = createLogger({ service: 'bench' }, 'error');
  const handle = connectBenchDatabase(ctx.databaseUrl, { max: 4, log });
  const auth = {
    ...authSettingsFrom(config()),
    loginMaxFailuresPerAccount: 1_000_000,
    loginMaxFailuresPerAddress: 1_000_000,
  };
  const core = createCoreApp({ db: handle.db, log, services: serviceNames, maxBodyBytes: 1 << 20, auth });
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: core.fetch });
  const url = `http://127.0.0.1:${server.port}/api/auth/login`;

  const attempt = async (email: string, password: string) => {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    await res.arrayBuffer();
    return { ms: performance.now() - started, status: res.status };
  };

  const kinds = {
    'unknown email': () => attempt(`nobody-${crypto.randomUUID()}@example.com`, 'wrong-password-123'),
    'wrong password': () => attempt('admin@example.com', 'wrong-password-123'),
    'right password': () => attempt('admin@example.com', 'admin-dev-password'),
  };
  const samples: Record<keyof typeof kinds, number[]> = {
    'unknown email': [],
    'wrong password': [],
    'right password': [],
  };
  try {
    ctx.progress('login-timing: warming up');
    for (const run of Object.values(kinds)) for (let i = 0; i < 5; i++) await run();
    const deadline = Date.now() + ctx.seconds * 1000;
    ctx.progress(`login-timing: interleaved attempts for ${ctx.seconds} s`);
    const statuses = new Set<string>();
    while (Date.now() < deadline) {
      for (const [name, run] of Object.entries(kinds) as [
        keyof typeof kinds,
        () => ReturnType<typeof attempt>,
      ][]) {
        const r = await run();
        samples[name].push(r.ms);
        statuses.add(`${name} ${r.status}`);
      }
    }
    for (const [name, xs] of Object.entries(samples))
      ctx.report(`login ${name}`, `${median(xs).toFixed(1)} ms`, `median of ${xs.length}`);
    const ratio = median(samples['unknown email']) / median(samples['wrong password']);
    ctx.report('unknown email / wrong password', ratio.toFixed(2), `statuses: ${[...statuses].join(', ')}`);
  } finally {
    server.stop(true);
    await handle.close();
  }
}
