/**
 * `bun run dev`'s dashboard watch: a change under web/src is rebuilt while it runs. The watch
 * writes to a directory of the test's own, so the edge's web/dist is left alone.
 */
import { expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchLineWorthShowing, watchWeb } from './web-build.ts';

const page = join(import.meta.dir, '..', 'web', 'src', 'app', 'shell', 'no-warehouse.page.ts');

test('a change under web/src is rebuilt while the watch runs', async () => {
  const out = mkdtempSync(join(tmpdir(), 'varastokkr-web-watch-'));
  const shown: string[] = [];
  const watch = watchWeb((line) => shown.push(line), { outputPath: out });
  const original = readFileSync(page, 'utf8');
  const marker = `rebuilt-${crypto.randomUUID()}`;
  try {
    await watch.firstBuild;
    // Given as a bare path, ng puts the browser files in browser/ under it.
    const built = join(out, 'browser');
    expect(readdirSync(built)).toContain('index.html');
    writeFileSync(page, original.replace('<h1>No warehouse yet</h1>', `<h1>No warehouse yet ${marker}</h1>`));
    // A rebuild replaces chunks: one listed a moment ago may be gone when read.
    const read = (f: string) => {
      try {
        return readFileSync(join(built, f), 'utf8');
      } catch {
        return '';
      }
    };
    const chunkWith = () => readdirSync(built).some((f) => f.endsWith('.js') && read(f).includes(marker));
    for (let i = 0; i < 600 && !chunkWith(); i++) await Bun.sleep(100);
    expect(chunkWith()).toBe(true);
    expect(shown.filter((line) => /generation complete/.test(line)).length).toBeGreaterThanOrEqual(2);
  } finally {
    writeFileSync(page, original);
    await watch.stop();
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);

test("a watch over a previous build's output is done once ng has replaced it, not when the old index.html is seen", async () => {
  const out = mkdtempSync(join(tmpdir(), 'varastokkr-web-rewatch-'));
  const built = join(out, 'browser');
  mkdirSync(built);
  writeFileSync(join(built, 'index.html'), 'a previous run');
  writeFileSync(join(built, 'chunk-PREVIOUS.js'), 'a previous run');
  const watch = watchWeb(() => {}, { outputPath: out });
  try {
    await watch.firstBuild;
    const files = readdirSync(built);
    expect(files).not.toContain('chunk-PREVIOUS.js');
    expect(readFileSync(join(built, 'index.html'), 'utf8')).toContain('<app-root');
    expect(files.some((f) => /^main.*\.js$/.test(f))).toBe(true);
  } finally {
    await watch.stop();
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);

test("the watch shows errors and one line per build, not ng's chunk tables", () => {
  expect(watchLineWorthShowing('Application bundle generation complete. [2.3 seconds]')).toBe(true);
  expect(
    watchLineWorthShowing('✘ [ERROR] TS2322: Type number is not assignable [plugin angular-compiler]'),
  ).toBe(true);
  expect(watchLineWorthShowing('main.js             | main              | 22.80 kB |')).toBe(false);
  expect(watchLineWorthShowing('❯ Changes detected. Rebuilding...')).toBe(false);
});
