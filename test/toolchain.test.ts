/**
 * The toolchain a fresh clone gets from `bun install`: package scripts run Node 22 from the
 * node@22 package (wrangler 4 refuses older), and wrangler itself is runnable.
 */
import { expect, test } from 'bun:test';
import { join } from 'node:path';

test('`bun run` scripts get Node >= 22 and a working wrangler 4 from node_modules', async () => {
  // A PATH without node_modules/.bin, as on a machine that has only the system Node 20.
  const PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.includes('node_modules'))
    .join(':');
  const proc = Bun.spawn(['bun', 'run', '--silent', 'toolchain'], {
    cwd: join(import.meta.dir, '..'),
    env: { ...process.env, PATH },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [out, err] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text()];
  expect(await proc.exited, err).toBe(0);
  const [node, wrangler] = out.trim().split('\n');
  expect(Number(/^v(\d+)\./.exec(node ?? '')?.[1])).toBeGreaterThanOrEqual(22);
  expect(wrangler).toMatch(/^4\./);
});
