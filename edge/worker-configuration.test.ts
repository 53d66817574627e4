/**
 * edge/worker-configuration.d.ts is what `wrangler types` makes of wrangler.toml today
 * (`bun run edge:types`): regenerated beside it, it is the same file.
 */
import { expect, test } from 'bun:test';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { edgeTypesFile, generateEdgeTypes } from '../scripts/edge-types.ts';

const root = join(import.meta.dir, '..');

test('the committed binding types are what `wrangler types` generates from wrangler.toml', () => {
  // Beside the committed file, so the relative imports it writes are the same.
  const fresh = edgeTypesFile.replace(/\.d\.ts$/, `.check-${process.pid}.d.ts`);
  try {
    generateEdgeTypes(fresh);
    const generated = readFileSync(join(root, fresh), 'utf8').replace(fresh, edgeTypesFile);
    const committed = existsSync(join(root, edgeTypesFile))
      ? readFileSync(join(root, edgeTypesFile), 'utf8')
      : '';
    if (generated !== committed)
      throw new Error(
        `${edgeTypesFile} is out of date with wrangler.toml: run \`bun run edge:types\` and commit it.`,
      );
    expect(committed).toContain(
      'WAREHOUSE_ROOMS: DurableObjectNamespace<import("./worker").WarehouseStockRoom>',
    );
  } finally {
    rmSync(join(root, fresh), { force: true });
  }
}, 60_000);
