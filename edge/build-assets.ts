/**
 * Assembles the edge's static assets in web/dist (or in another build's directory, the test
 * harness's): the dashboard (the Angular build writes
 * web/dist; `bun run build` or `bun run dev` runs it), plus the Scalar API reference bundle that
 * /docs loads and the barcode decoder's wasm that the scanner loads (served by us, so both work
 * offline and without a CDN), and the scanner's service worker with the list of files it keeps.
 * Without a dashboard build (a fresh clone that ran no build yet), web/placeholder.html stands
 * in as index.html.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dir, '..');

export function buildAssets(out = join(root, 'web', 'dist')): string {
  mkdirSync(out, { recursive: true });
  // Never removes the dashboard's files: a watching Angular build may be writing them.
  if (!existsSync(join(out, 'index.html')))
    cpSync(join(root, 'web', 'placeholder.html'), join(out, 'index.html'));
  const scalar = dirname(Bun.resolveSync('@scalar/api-reference/package.json', root));
  mkdirSync(join(out, 'vendor', 'scalar'), { recursive: true });
  cpSync(join(scalar, 'dist', 'browser', 'standalone.js'), join(out, 'vendor', 'scalar', 'standalone.js'));
  copyZxingWasm(out);
  writeScannerWorker(out);
  return out;
}

/** The wasm of the zxing-wasm that barcode-detector itself depends on (their versions must match). */
function copyZxingWasm(out: string): void {
  const detector = dirname(Bun.resolveSync('barcode-detector/package.json', join(root, 'web')));
  const wasm = Bun.resolveSync('zxing-wasm/reader/zxing_reader.wasm', detector);
  mkdirSync(join(out, 'vendor', 'zxing'), { recursive: true });
  cpSync(wasm, join(out, 'vendor', 'zxing', 'zxing_reader.wasm'));
}

/** What the scanner keeps for offline use: the app's files, not the API reference nor the build's notes. */
function scannerFiles(out: string, dir = out): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    const name = relative(out, path);
    if (entry.isDirectory()) return name === join('vendor', 'scalar') ? [] : scannerFiles(out, path);
    if (/^(\.|scan-sw\.js$)|\.(txt|map)$/.test(entry.name)) return [];
    // The edge redirects /index.html to /, and a navigation may not be answered with a redirect.
    return [name === 'index.html' ? '/' : `/${name}`];
  });
}

/** web/service-worker/scan-sw.js with this build's files and a version that changes with them. */
function writeScannerWorker(out: string): void {
  const files = scannerFiles(out).sort();
  const version = createHash('sha256');
  for (const file of files)
    version.update(file).update(readFileSync(join(out, file === '/' ? 'index.html' : file)));
  const source = readFileSync(join(root, 'web', 'service-worker', 'scan-sw.js'), 'utf8')
    .replace("'__VERSION__'", JSON.stringify(version.digest('hex').slice(0, 16)))
    .replace('/* __FILES__ */ []', JSON.stringify(files));
  writeFileSync(join(out, 'scan-sw.js'), source);
}

if (import.meta.main) console.log(`assets ready in ${buildAssets()}`);
