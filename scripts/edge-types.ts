/**
 * `bun run edge:types`: regenerates edge/worker-configuration.d.ts, the edge's binding types,
 * from wrangler.toml with `wrangler types` (run it after changing wrangler.toml; a test fails
 * until you do). Secrets and local overrides are not in it (edge/env.ts adds them from the
 * schema): an empty --env-file keeps a developer's .env or .dev.vars out of the committed file.
 * workerd's runtime types come from @cloudflare/workers-types (edge/tsconfig.json).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dir, '..');
export const edgeTypesFile = 'edge/worker-configuration.d.ts';

/** Runs `wrangler types` into `file` (relative to the repository); throws with its output on failure. */
export function generateEdgeTypes(file = edgeTypesFile): void {
  const run = spawnSync(
    join(root, 'node_modules', '.bin', 'wrangler'),
    ['types', file, '--env-file=/dev/null', '--include-runtime=false', '--strict-vars=false'],
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        // wrangler 4 needs Node >= 22: the project's own node@22 comes first on PATH.
        PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
        WRANGLER_SEND_METRICS: 'false',
        NO_COLOR: '1',
      },
    },
  );
  if (run.status !== 0) throw new Error(`wrangler types failed (${run.status}):\n${run.stdout}${run.stderr}`);
}

if (import.meta.main) {
  generateEdgeTypes();
  console.log(`wrote ${edgeTypesFile}`);
}
