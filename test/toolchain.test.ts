/**
 * The toolchain a fresh clone gets from `bun install`: package scripts run Node 22 from the
 * node@22 package (wrangler 4 refuses older), and wrangler itself is runnable.
 */
import { expect, test } from 'bun:test';
import { runCommand } from './harness/command.ts';

test('`bun run` scripts get Node >= 22 and a working wrangler 4 from node_modules', async () => {
  // A PATH without node_modules/.bin, as on a machine that has only the system Node 20.
  const PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.includes('node_modules'))
    .join(':');
  const {
    code,
    stdout: out,
    stderr: err,
  } = await runCommand(['bun', 'run', '--silent', 'toolchain'], { env: { PATH } });
  expect(code, err).toBe(0);
  const [node, wrangler] = out.trim().split('\n');
  expect(Number(/^v(\d+)\./.exec(node ?? '')?.[1])).toBeGreaterThanOrEqual(22);
  expect(wrangler).toMatch(/^4\./);
});
