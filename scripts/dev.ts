/**
 * `bun run dev`: installs what is missing, starts Postgres (embedded unless DATABASE_URL is set),
 * migrates, seeds, then runs core, jobs, the WebSocket proxy for the edge's database driver and
 * the edge worker under wrangler dev. Ctrl-C or SIGTERM stops all of it; data stays in DATA_DIR.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dir, '..');
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
const say = (tag: string, line: string) => console.log(`${`[${tag}]`.padEnd(11)}${line}`);

// 1. Dependencies, before anything imports them.
say('dev', 'installing dependencies (bun install --frozen-lockfile)');
const install = spawnSync('bun', ['install', '--frozen-lockfile'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (install.status !== 0) {
  say(
    'dev',
    'bun install failed: check your network and that bun.lock is committed, then run `bun run dev` again.',
  );
  process.exit(1);
}
const nodeBin = join(root, 'node_modules', '.bin', 'node');
const nodeVersion = existsSync(nodeBin) ? spawnSync(nodeBin, ['-v'], { encoding: 'utf8' }).stdout.trim() : '';
if (!/^v(2[2-9]|[3-9]\d)\./.test(nodeVersion)) {
  say(
    'dev',
    `wrangler needs Node >= 22 from the node@22 package, found "${nodeVersion || 'none'}". Run \`bun install\`.`,
  );
  process.exit(1);
}

const { config } = await import('../core/platform/config.ts');
const { openLocalDatabase } = await import('../db/local-database.ts');
const { migrateDatabase } = await import('../db/migrate.ts');
const { seedDemoData } = await import('../db/seed.ts');
const { startWsProxy } = await import('../edge/local/ws-proxy.ts');
const { startWrangler } = await import('../edge/local/wrangler-dev.ts');
const { freePort } = await import('../db/postgres-server.ts');
const { createLogger } = await import('../core/platform/logger.ts');
const { prettyLogLine, spawnService } = await import('./processes.ts');

const cfg = config();

// 2. Database.
const database = await openLocalDatabase((line) => say('postgres', line));
say(
  'postgres',
  database.server ? `embedded PostgreSQL on port ${database.server.port}` : 'using DATABASE_URL',
);
await migrateDatabase(database.url);
say('db', 'migrations applied');
if (cfg.SEED_DEMO_DATA) {
  await seedDemoData(database.url, {
    adminEmail: cfg.ADMIN_EMAIL,
    adminPassword: cfg.ADMIN_PASSWORD,
    progress: (line) => say('db', line),
  });
}

// 3. Processes.
const childEnv = { DATABASE_URL: database.url };
const core = spawnService('core', ['bun', 'core/main.ts'], childEnv, say);
const jobs = spawnService('jobs', ['bun', 'jobs/main.ts'], childEnv, say);
const dbAddress = new URL(database.url);
const proxy = startWsProxy({
  port: cfg.WS_PROXY_PORT,
  allowed: [`${dbAddress.hostname}:${dbAddress.port || 5432}`],
  log: createLogger({ service: 'ws-proxy' }, cfg.LOG_LEVEL, (l) => say('ws-proxy', prettyLogLine(l))),
});
const edge = await startWrangler({
  port: cfg.EDGE_PORT,
  inspectorPort: await freePort(),
  vars: {
    CORE_URL: `http://${cfg.CORE_HOST}:${cfg.CORE_PORT}`,
    DATABASE_URL: database.url,
    NEON_WS_PROXY: `127.0.0.1:${cfg.WS_PROXY_PORT}/v1`,
    LOG_LEVEL: cfg.LOG_LEVEL,
  },
  onLine: (line) => say('edge', prettyLogLine(line)),
});

let stopping = false;
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  say('dev', 'stopping edge, core, jobs and Postgres');
  await edge.stop();
  await Promise.all([core.stop(), jobs.stop()]);
  proxy.stop(true);
  await database.stop();
  say('dev', 'stopped');
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
for (const child of [core, jobs]) {
  child.exited.then((exitCode) => {
    if (!stopping) {
      say(
        'dev',
        `${child.name} exited (${exitCode}); stopping the rest. Fix the error above and run \`bun run dev\` again.`,
      );
      void stopAll(1);
    }
  });
}

// 4. Ready when the edge says everything answers.
const healthUrl = `${edge.url}/healthz`;
for (let attempt = 0; ; attempt++) {
  const res = await fetch(healthUrl).catch(() => undefined);
  if (res?.ok) break;
  if (attempt === 300) {
    say('dev', `the edge did not become healthy: ${res ? await res.text() : 'no answer'}`);
    await stopAll(1);
  }
  await Bun.sleep(200);
}
const password = cfg.ADMIN_PASSWORD === 'admin-dev-password' ? 'admin-dev-password' : '(your ADMIN_PASSWORD)';
console.log(`
  Varastokkr is up in ${elapsed()}: ${edge.url}
    API reference  ${edge.url}/docs
    OpenAPI        ${edge.url}/openapi.json
    Health         ${edge.url}/healthz
    Admin login    ${cfg.ADMIN_EMAIL} / ${password}
  Ctrl-C stops everything; data stays in ${cfg.DATABASE_URL ? 'your DATABASE_URL' : cfg.DATA_DIR}.
`);
