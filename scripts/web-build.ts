/**
 * Builds the dashboard (web/, Angular's application builder through the local `ng`) into
 * web/dist, then adds the edge's other assets (edge/build-assets.ts). `bun run build` runs it
 * once for production; `bun run dev` keeps it watching; the test harness builds once per run.
 * `bun scripts/web-build.ts test` runs its component tests (Vitest). `ng` runs on the project's
 * own Node 22 (the node@22 package), like wrangler.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { lineSplitter } from '../core/platform/lines.ts';
import { buildAssets } from '../edge/build-assets.ts';

const root = join(import.meta.dir, '..');
const web = join(root, 'web');

export type WebConfiguration = 'production' | 'development';

/** `ng` on the project's Node; `oneShot` marks a run as CI (no prompts), which a watch must not be: ng then watches nothing. */
function ng(args: string[], oneShot = true): ChildProcess {
  return spawn(join(web, 'node_modules', '.bin', 'ng'), args, {
    cwd: web,
    detached: true, // its own process group, so stopping it stops esbuild's workers too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      NG_CLI_ANALYTICS: 'false',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      ...(oneShot ? { CI: 'true' } : {}),
    },
  });
}

/** One `ng` command to its end: its exit code and everything it printed. */
async function runNg(
  args: string[],
  onLine?: (line: string) => void,
): Promise<{ code: number | null; output: string }> {
  const child = ng(args);
  const output: string[] = [];
  const lines = lineSplitter((line) => {
    output.push(line);
    onLine?.(line);
  });
  child.stdout?.on('data', lines.push);
  child.stderr?.on('data', lines.push);
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  lines.end();
  return { code, output: output.join('\n') };
}

/** Every file the build reads from the repository: the app, its static files and the typed client. */
function sourceFiles(): string[] {
  // web/public (static files copied as they are) may not exist: git keeps no empty folder.
  const walk = (dir: string): string[] =>
    (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []).flatMap((e) =>
      e.isDirectory()
        ? walk(join(dir, e.name))
        : /\.(test|testbed)\.ts$/.test(e.name)
          ? []
          : [join(dir, e.name)],
    );
  return [
    ...walk(join(web, 'src')),
    ...walk(join(web, 'public')),
    ...walk(join(root, 'packages', 'client', 'src')),
    join(web, 'angular.json'),
    join(web, 'tsconfig.json'),
    join(web, 'package.json'),
  ];
}

/** A hash of the sources and the configuration: the same stamp means web/dist is already their build. */
function sourceStamp(configuration: WebConfiguration): string {
  const hash = createHash('sha256').update(configuration);
  for (const file of sourceFiles().sort()) hash.update(relative(root, file)).update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * One build, with the edge's other assets, into web/dist or into `outputPath` (the test
 * harness's own, which no `bun run dev` rewrites under its edges). With `reuse`, skipped when
 * the directory already holds the build of these very sources. Resolves with the directory the
 * edge serves; rejects with the build's errors.
 */
export async function buildWeb(
  opts: {
    configuration?: WebConfiguration;
    reuse?: boolean;
    outputPath?: string;
    onLine?: (line: string) => void;
  } = {},
): Promise<{ reused: boolean; dir: string }> {
  const configuration = opts.configuration ?? 'production';
  // Given a bare path, ng writes the browser files to browser/ under it.
  const dir = opts.outputPath ? join(opts.outputPath, 'browser') : join(web, 'dist');
  const stampFile = join(dir, '.build-stamp');
  const stamp = sourceStamp(configuration);
  const built = existsSync(stampFile) && existsSync(join(dir, 'index.html'));
  if (opts.reuse && built && readFileSync(stampFile, 'utf8') === stamp) {
    buildAssets(dir);
    return { reused: true, dir };
  }
  const out = opts.outputPath ? ['--output-path', opts.outputPath] : [];
  const { code, output } = await runNg(['build', '--configuration', configuration, ...out], opts.onLine);
  if (code !== 0) throw new Error(`the dashboard build failed (ng build exited ${code}):\n${output}`);
  buildAssets(dir);
  writeFileSync(stampFile, stamp);
  return { reused: false, dir };
}

export interface WebWatch {
  /** Settles after the first build: resolves when it succeeded, rejects with its errors. */
  firstBuild: Promise<void>;
  stop(): Promise<void>;
  kill(): void;
}

/** Names and sizes of every file under `dir`, sorted: two equal listings mean nothing was written between them. */
function listing(dir: string): string {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const path = join(d, e.name);
      if (e.isDirectory()) return walk(path);
      try {
        return [`${relative(dir, path)}:${statSync(path).size}`];
      } catch {
        return []; // removed while we looked
      }
    });
  return existsSync(dir) ? walk(dir).sort().join('\n') : '';
}

/**
 * Resolves once `dir` holds an index.html and its listing stayed the same over a few polls. ng
 * writes its files after it reports the output location, in groups, and reports nothing when
 * it is done: a settled directory is the only sign.
 */
async function outputWritten(dir: string, timeoutMs = 30_000): Promise<void> {
  let previous = '';
  let unchanged = 0;
  for (const deadline = Date.now() + timeoutMs; unchanged < 3; await Bun.sleep(100)) {
    if (Date.now() > deadline)
      throw new Error(`the dashboard build did not finish writing ${dir} within ${timeoutMs / 1000} s`);
    const now = listing(dir);
    unchanged = existsSync(join(dir, 'index.html')) && now === previous ? unchanged + 1 : 0;
    previous = now;
  }
}

/** What a person needs from ng's watch output: errors, warnings and one line per rebuild. */
export function watchLineWorthShowing(line: string): boolean {
  return /ERROR|WARNING|error TS|NG\d{4}|generation (complete|failed)|^\s+\S+\.(ts|html|css):\d+/.test(line);
}

/**
 * `ng build --watch` (development): rebuilds web/dist on every change while it runs. Another
 * `outputPath` (a test's) gets the dashboard alone, without the edge's other assets.
 */
export function watchWeb(onLine: (line: string) => void, opts: { outputPath?: string } = {}): WebWatch {
  const out = opts.outputPath ? ['--output-path', opts.outputPath] : [];
  // Given a bare path, ng writes the browser files to browser/ under it.
  const builtDir = opts.outputPath ? join(opts.outputPath, 'browser') : join(web, 'dist');
  const child = ng(['build', '--configuration', 'development', '--watch', ...out], false);
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const firstBuild = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const errors: string[] = [];
  let built = false;
  const lines = lineSplitter((line) => {
    if (/ERROR|error TS|NG\d{4}/.test(line)) errors.push(line);
    if (/generation complete/.test(line)) built = true;
    // ng reports "complete" before it touches the disk: then it empties the output (a previous
    // run's files, index.html too, are still there until this point), prints the output
    // location, and writes. The first build is done once that directory has settled.
    if (/^Output location: /.test(line.trim()) && built && settle) {
      const first = settle;
      settle = undefined;
      void outputWritten(builtDir).then(
        () => {
          if (!opts.outputPath) buildAssets(); // the first build emptied web/dist; later ones leave /vendor alone
          first.resolve();
        },
        (err: Error) => first.reject(err),
      );
    } else if (/generation failed/.test(line)) {
      settle?.reject(new Error(`the dashboard build failed:\n${errors.join('\n')}`));
      settle = undefined;
    }
    if (watchLineWorthShowing(line)) onLine(line.trim());
  });
  child.stdout?.on('data', lines.push);
  child.stderr?.on('data', lines.push);
  child.once('exit', (code) => settle?.reject(new Error(`ng build --watch exited (${code})`)));
  const signal = (name: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, name);
    } catch {} // the group is gone already
  };
  return {
    firstBuild,
    kill: () => signal('SIGKILL'),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The component and service tests (the `*.testbed.ts` files under web/src): Vitest in Angular's TestBed,
 * through `ng test` (happy-dom). Resolves with their output; rejects when one fails.
 */
export async function testWeb(onLine?: (line: string) => void): Promise<string> {
  const { code, output } = await runNg(['test'], onLine);
  if (code !== 0)
    throw new Error(`the dashboard's component tests failed (ng test exited ${code}):\n${output}`);
  return output;
}

if (import.meta.main && process.argv[2] === 'test') {
  await testWeb((line) => console.log(line)).catch(() => process.exit(1));
} else if (import.meta.main) {
  const started = performance.now();
  await buildWeb({ onLine: (line) => console.log(line) }).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
  console.log(
    `dashboard and assets ready in web/dist (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}
