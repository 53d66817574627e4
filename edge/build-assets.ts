/**
 * Assembles the edge's static assets in web/dist: the web/ pages, plus the Scalar API reference
 * bundle that /docs loads (served by us, so the page works offline).
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dir, '..');
const out = join(root, 'web', 'dist');

export function buildAssets(): string {
  rmSync(out, { recursive: true, force: true });
  cpSync(join(root, 'web', 'public'), out, { recursive: true });
  const scalar = dirname(Bun.resolveSync('@scalar/api-reference/package.json', root));
  mkdirSync(join(out, 'vendor', 'scalar'), { recursive: true });
  cpSync(join(scalar, 'dist', 'browser', 'standalone.js'), join(out, 'vendor', 'scalar', 'standalone.js'));
  return out;
}

if (import.meta.main) console.log(`assets ready in ${buildAssets()}`);
