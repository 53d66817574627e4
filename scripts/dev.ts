/**
 * `bun run dev`: installs what is missing, checks that every port it will listen on is free,
 * starts Postgres (embedded unless DATABASE_URL is set), migrates, seeds, then runs core, the
 * WebSocket proxy for the edge's database driver and the edge worker under wrangler dev, and,
 * once the edge answers, the jobs runner (whose first jobs call the edge). Ctrl-C or SIGTERM stops all of it, in order: edge, jobs and
 * core (draining), then Postgres. A second Ctrl-C (a second keypress, not the copy `bun run`
 * forwards of the first: scripts/dev-signals.ts) kills what is left and exits at once. Data stays
 * in DATA_DIR.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { onDevShutdown } from './dev-signals.ts';

const root = join(import.meta.dir, '..');
const started = performance.now();
const say = (tag: string, line: string) => console.log(`${`[${tag}]`.padEnd(11)}${line}`);

/**
 * A piece of the stack. `kill`, for a second Ctrl-C, ends a process at once even while its stop
 * is under way (a stop that was begun no longer kills it when this process exits). Postgres has
 * none: by then it was either sent its fast shutdown or is taken down by its own exit hook.
 */
interface Piece {
  name: string;
  stop(): Promise<void>;
  kill?(): void;
}
// Everything started so far, stopped last-first on Ctrl-C, SIGTERM or a failure.
const running: Piece[] = [];
const everStarted: Piece[] = [];
let stopping = false;
const keep = (piece: Piece) => {
  running.push(piece);
  everStarted.push(piece);
};
async function stopRunning(): Promise<void> {
  stopping = true;
  for (const piece of running.splice(0).reverse()) {
    await piece.stop().catch((err) => say('dev', `stopping ${piece.name} failed: ${(err as Error).message}`));
  }
  say('dev', 'stopped');
}
onDevShutdown({
  stop: async () => {
    say('dev', 'stopping (Ctrl-C again to exit at once)');
    await stopRunning();
  },
  abandon: () => {
    for (const piece of everStarted) piece.kill?.();
  },
  say: (line) => say('dev', line),
});
async function fail(message: string): Promise<never> {
  say('dev', message);
  await stopRunning();
  process.exit(1);
}

// 1. Dependencies, before anything imports them.
say('dev', 'installing dependencies (bun install --frozen-lockfile)');
const install = spawnSync('bun', ['install', '--frozen-lockfile'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (install.status !== 0) {
  await fail(
    'bun install failed: check your network and that bun.lock is committed, then run `bun run dev` again.',
  );
}
const nodeBin = join(root, 'node_modules', '.bin', 'node');
const nodeVersion = existsSync(nodeBin) ? spawnSync(nodeBin, ['-v'], { encoding: 'utf8' }).stdout.trim() : '';
if (!/^v(2[2-9]|[3-9]\d)\./.test(nodeVersion)) {
  await fail(
    `wrangler needs Node >= 22 from the node@22 package, found "${nodeVersion || 'none'}". Run \`bun install\`.`,
  );
}

const { config, DEV_ADMIN_PASSWORD } = await import('../core/platform/config.ts');
const { createLogger } = await import('../core/platform/logger.ts');
const { freePort } = await import('../core/platform/ports.ts');
const { localPostgresRunning, openLocalDatabase } = await import('../db/local-database.ts');
const { describeMigrations, migrateDatabase } = await import('../db/migrate.ts');
const { takenPorts } = await import('./dev-ports.ts');
const { ensureEdgeLogin } = await import('../db/edge-login.ts');
const { seedDemoData } = await import('../db/seed.ts');
const { startWsProxy } = await import('../edge/local/ws-proxy.ts');
const { startWrangler } = await import('../edge/local/wrangler-dev.ts');
const { prettyLogLine } = await import('./pretty-log.ts');
const { spawnService } = await import('./service-process.ts');
const { randomSecret } = await import('../core/identity/secrets.ts');
// Fresh secrets per run: the jobs runner's calls to the edge's /internal/* endpoints, and the
// edge's signature on what it forwards to core (so core believes the client address it sends).
const internalSecret = randomSecret();
const edgeSigningSecret = randomSecret();

const cfg = config();

// 2. Every port, before anything is migrated, seeded or started.
const taken = await takenPorts([
  { variable: 'EDGE_PORT', port: cfg.EDGE_PORT, role: 'the edge' },
  { variable: 'CORE_PORT', port: cfg.CORE_PORT, role: 'core' },
  { variable: 'WS_PROXY_PORT', port: cfg.WS_PROXY_PORT, role: "the edge's database proxy" },
  // DATABASE_URL's server is not ours; our own embedded Postgres, left running, is reused.
  ...(cfg.DATABASE_URL || localPostgresRunning()
    ? []
    : [{ variable: 'EMBEDDED_PG_PORT', port: cfg.EMBEDDED_PG_PORT, role: 'the embedded Postgres' }]),
]);
if (taken.length > 0) {
  for (const problem of taken) say('dev', problem);
  await fail('nothing was started. Is another `bun run dev` running?');
}

// The dashboard builds while Postgres starts, then rebuilds web/dist on every change under web/
// (and packages/client); the edge serves web/dist, so it starts once the first build is done.
const { watchWeb } = await import('./web-build.ts');
say('web', 'building the dashboard (web/, watching for changes)');
const webWatch = watchWeb((line) => say('web', line));
keep({ name: 'web', stop: webWatch.stop, kill: webWatch.kill });

const wranglerRequestLine = /^\[wrangler:info\] [A-Z]+ \/\S* \d{3} /;
let edgeUrl = '';
let childEnv: Record<string, string> = {};
/** Core or jobs as a child process; its exit while not stopping stops the rest. */
function startService(name: 'core' | 'jobs', entry: string): void {
  const service = spawnService(name, ['bun', entry], childEnv, (line) => say(name, prettyLogLine(line)));
  keep(service);
  service.exited.then((code) => {
    if (!stopping)
      void fail(
        `${name} exited (${code}); stopping the rest. Fix the error above, then run \`bun run dev\` again.`,
      );
  });
}
try {
  // 3. Database.
  const database = await openLocalDatabase((line) => say('postgres', line));
  keep({ name: 'postgres', stop: database.stop });
  say(
    'postgres',
    database.server ? `embedded PostgreSQL on port ${database.server.port}` : 'using DATABASE_URL',
  );
  for (const line of describeMigrations(await migrateDatabase(database.url)))
    say('db', `migrations: ${line}`);
  // The edge reads through its own read-only login, with a fresh password each run.
  const edgeDatabaseUrl = await ensureEdgeLogin(database.url, 'varastokkr_edge_dev', randomSecret()).catch(
    (err: Error) =>
      fail(
        `could not make the edge's database login (${err.message}): DATABASE_URL's user must be allowed to create roles.`,
      ),
  );
  if (cfg.SEED_DEMO_DATA) {
    await seedDemoData(database.url, {
      adminEmail: cfg.ADMIN_EMAIL,
      adminPassword: cfg.ADMIN_PASSWORD,
      progress: (line) => say('db', line),
    });
  }

  // 4. Core, then the edge in front of it.
  childEnv = {
    DATABASE_URL: database.url,
    EDGE_URL: `http://127.0.0.1:${cfg.EDGE_PORT}`,
    EDGE_INTERNAL_SECRET: internalSecret,
    EDGE_SIGNING_SECRET: edgeSigningSecret,
  };
  startService('core', 'core/main.ts');
  const dbAddress = new URL(database.url);
  const proxy = startWsProxy({
    port: cfg.WS_PROXY_PORT,
    allowed: [`${dbAddress.hostname}:${dbAddress.port || 5432}`],
    log: createLogger({ service: 'ws-proxy' }, cfg.LOG_LEVEL, (l) => say('ws-proxy', prettyLogLine(l))),
  });
  keep({ name: 'ws-proxy', stop: async () => void proxy.stop(true) });
  await webWatch.firstBuild.then(
    () => say('web', 'dashboard built; it rebuilds when a file under web/src changes'),
    (err: Error) =>
      say('web', `${err.message}\nthe edge serves a placeholder page until a change under web/ builds`),
  );
  const edge = await startWrangler({
    port: cfg.EDGE_PORT,
    inspectorPort: await freePort(),
    vars: {
      CORE_URL: `http://${cfg.CORE_HOST}:${cfg.CORE_PORT}`,
      DATABASE_URL: edgeDatabaseUrl,
      NEON_WS_PROXY: `127.0.0.1:${cfg.WS_PROXY_PORT}/v1`,
      LOG_LEVEL: cfg.LOG_LEVEL,
      INTERNAL_SECRET: internalSecret,
      EDGE_SIGNING_SECRET: edgeSigningSecret,
      // A shell's CORS_ALLOWED_ORIGINS reaches the edge; unset, it allows the Angular dev server.
      ...(process.env.CORS_ALLOWED_ORIGINS ? { CORS_ALLOWED_ORIGINS: process.env.CORS_ALLOWED_ORIGINS } : {}),
    },
    // wrangler's own level: its info shows the edge logger's info lines (debug ones come as info).
    logLevel: cfg.LOG_LEVEL === 'debug' ? 'info' : cfg.LOG_LEVEL,
    onLine: (line) => {
      // wrangler's own line per request repeats the edge logger's request line.
      if (!wranglerRequestLine.test(line)) say('edge', prettyLogLine(line));
    },
  });
  keep({
    name: 'edge',
    stop: edge.stop,
    // wrangler and workerd share the process group wrangler leads.
    kill: () => {
      try {
        if (edge.child.pid !== undefined) process.kill(-edge.child.pid, 'SIGKILL');
      } catch {} // the group is gone already
    },
  });
  edgeUrl = edge.url;
} catch (err) {
  await fail(`could not start: ${(err as Error).message}`);
}

// 5. Ready when the edge says everything answers.
let last = '';
for (let attempt = 0; attempt < 300; attempt++) {
  const res = await fetch(`${edgeUrl}/healthz`).catch(() => undefined);
  if (res?.ok) break;
  last = res ? await res.text() : 'no answer';
  if (attempt === 299) await fail(`the edge did not become healthy within 60 s: ${last}`);
  await Bun.sleep(200);
}
// The edge keeps its cache between runs (.wrangler/state) but the database may be new: start
// from a fresh catalog generation so nothing cached from an earlier database answers.
await fetch(`${edgeUrl}/internal/catalog/purge`, {
  method: 'POST',
  headers: { authorization: `Bearer ${internalSecret}` },
}).catch(() =>
  say('dev', 'could not purge the edge catalog cache; cached reads may be stale until a product changes'),
);
// 6. The jobs runner last: its first jobs (the seed's pushes of stock levels) call the edge.
startService('jobs', 'jobs/main.ts');

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const password = cfg.ADMIN_PASSWORD === DEV_ADMIN_PASSWORD ? DEV_ADMIN_PASSWORD : '(your ADMIN_PASSWORD)';
console.log(`
  Varastokkr is up in ${seconds}s: ${edgeUrl}
    Dashboard      ${edgeUrl}/ (rebuilt when web/ changes; reload the page)
    API reference  ${edgeUrl}/docs
    OpenAPI        ${edgeUrl}/openapi.json
    Health         ${edgeUrl}/healthz
    Admin login    ${cfg.ADMIN_EMAIL} / ${password}
  Ctrl-C stops everything; data stays in ${cfg.DATABASE_URL ? 'your DATABASE_URL' : cfg.DATA_DIR}.
`);
