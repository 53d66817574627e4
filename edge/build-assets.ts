/**
 * Assembles the edge's static assets in web/dist: the dashboard (the Angular build writes
 * web/dist; `bun run build` or `bun run dev` runs it), plus the Scalar API reference bundle that
 * /docs loads (served by us, so the page works offline). Without a dashboard build (a fresh
 * clone that ran no build yet), web/placeholder.html stands in as index.html.
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dir, '..');
const out = join(root, 'web', 'dist');

export function buildAssets(): string {
  mkdirSync(out, { recursive: true });
  // Never removes the dashboard's files: a watching Angular build may be writing them.
  if (!existsSync(join(out, 'index.html')))
    cpSync(join(root, 'web', 'placeholder.html'), join(out, 'index.html'));
  const scalar = dirname(Bun.resolveSync('@scalar/api-reference/package.json', root));
  mkdirSync(join(out, 'vendor', 'scalar'), { recursive: true });
  cpSync(join(scalar, 'dist', 'browser', 'standalone.js'), join(out, 'vendor', 'scalar', 'standalone.js'));
  return out;
}

if (import.meta.main) console.log(`assets ready in ${buildAssets()}`);
