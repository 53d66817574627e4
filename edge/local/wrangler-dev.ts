/**
 * Starts the edge worker under `wrangler dev` (real workerd) in its own process group, so that
 * stopping it also stops workerd, which otherwise outlives wrangler.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineSplitter } from '../../core/platform/lines.ts';
import { buildAssets } from '../build-assets.ts';

const root = join(import.meta.dir, '..', '..');

export interface WranglerOptions {
  port: number;
  inspectorPort: number;
  /** Worker variables; written to a private env file, so wrangler does not print them. */
  vars: Record<string, string>;
  /** Where Durable Object storage is kept between runs. */
  persistTo?: string;
  /**
   * The static assets to serve instead of wrangler.toml's web/dist: the test harness's own
   * build, which a `bun run dev` rebuilding web/dist (wrangler reloads on every change there)
   * cannot disturb.
   */
  assetsDir?: string;
  /** Another wrangler config than the project's (benchmarks run a bare worker beside ours). */
  configPath?: string;
  onLine?: (line: string) => void;
  /**
   * wrangler's own --log-level (default info): at info it shows the worker's console.info, warn
   * and error lines (each edge log line by its level), at warn only warnings and errors.
   */
  logLevel?: 'error' | 'warn' | 'info';
  /** false: an unminified bundle, so a CPU profile names functions (bench/edge-profile.ts). */
  minify?: boolean;
  /** wrangler's local observability collector (off unless X_LOCAL_OBSERVABILITY says; see below). */
  localObservability?: boolean;
}

export interface WranglerHandle {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {}
}

export async function startWrangler(opts: WranglerOptions): Promise<WranglerHandle> {
  if (!opts.assetsDir) buildAssets(); // wrangler.toml serves web/dist, which a fresh clone does not have yet
  const envDir = join(root, '.wrangler', 'env');
  mkdirSync(envDir, { recursive: true });
  const envFile = join(envDir, `edge-${opts.port}.env`);
  writeFileSync(
    envFile,
    // Run locally, the worker is never the production one (wrangler.toml says production).
    Object.entries({ ENVIRONMENT: 'development', ...opts.vars })
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n'),
    { mode: 0o600 },
  );
  chmodSync(envFile, 0o600);

  const args = [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--inspector-port',
    String(opts.inspectorPort),
    '--env-file',
    envFile,
    '--show-interactive-dev-session=false',
    '--log-level',
    opts.logLevel ?? 'info',
    ...(opts.persistTo ? ['--persist-to', opts.persistTo] : []),
    ...(opts.configPath ? ['--config', opts.configPath] : []),
    ...(opts.minify === false ? ['--minify=false'] : []),
    ...(opts.assetsDir ? ['--assets', opts.assetsDir] : []),
  ];
  const child = spawn(join(root, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: root,
    detached: true, // its own process group (setsid), see killGroup
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // wrangler 4 needs Node >= 22: the project's own node@22 comes first on PATH.
      PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_LOG_PATH: join(root, '.wrangler', 'logs'),
      NO_COLOR: '1',
      // wrangler dev's local observability collector is a streaming tail worker fed every
      // invocation's trace events (each request, each Durable Object call, each socket message),
      // in workerd's own process: it nearly tripled the edge's CPU per room feed tick (3.94 ms
      // against 1.35 for a tick of 26 events, bench/README "Orders: product refs kept until the
      // catalog changes; wrangler dev without its trace collector"). Production's observability
      // runs outside the worker. X_LOCAL_OBSERVABILITY=true brings it back (`bun run bench feed`
      // measures both).
      X_LOCAL_OBSERVABILITY: String(opts.localObservability ?? process.env.X_LOCAL_OBSERVABILITY === 'true'),
    },
  });
  const tail: string[] = [];
  const lines = lineSplitter((line) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    opts.onLine?.(line);
  });
  child.stdout?.on('data', lines.push);
  child.stderr?.on('data', lines.push);
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`wrangler dev exited (${child.exitCode}):\n${tail.join('\n')}`);
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      throw new Error(`wrangler dev did not answer on ${url} within 90 s:\n${tail.join('\n')}`);
    }
    try {
      await fetch(`${url}/__edge_ready`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      await Bun.sleep(200);
    }
  }

  return {
    url,
    child,
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL'); // workerd, should it linger in the group
      rmSync(envFile, { force: true }); // it holds the database password
    },
  };
}
