/**
 * The README's shell examples work as written: every ```sh block marked `<!-- readme-test -->`
 * runs, in order, in one bash against a stack of its own (Postgres with the dev seed, core, jobs,
 * the edge under workerd), with BASE pointing at that edge. curl fails on any HTTP error.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { seedDemoData } from '../db/seed.ts';
import { runCommand } from './harness/command.ts';
import { type EdgeStack, startEdgeStack } from './harness/edge.ts';

let stack: EdgeStack;
beforeAll(async () => {
  stack = await startEdgeStack({ name: 'readme', jobs: true });
  await seedDemoData(stack.database.url, {
    adminEmail: 'admin@example.com',
    adminPassword: 'admin-dev-password',
  });
}, 120_000);
afterAll(() => stack?.stop());

/** The marked blocks of the README, in order. */
function markedBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/<!-- readme-test -->\s*```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

test('the marked README blocks run against the stack and answer as the README says', async () => {
  const blocks = markedBlocks(await Bun.file(join(import.meta.dir, '..', 'README.md')).text());
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  // Errors stop the script; each curl answer ends with a newline so the output reads as lines.
  const prelude = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; echo; }\n';
  const {
    code,
    stdout: out,
    stderr: err,
  } = await runCommand(['bash', '-c', prelude + blocks.join('\n')], { env: { BASE: stack.url } });
  expect(code, `${out}\n${err}`).toBe(0);
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  expect(
    lines.some((l) => /^HEL [0-9a-f-]{36}$/.test(l)),
    out,
  ).toBe(true);
  const json = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(
    json.find((j) => j.sku === 'DEMO-MUG' && j.name === 'Demo mug'),
    out,
  ).toBeDefined();
  expect(
    json.find((j) => j.type === 'receipt' || j.delta === 10),
    out,
  ).toBeDefined();
  expect(
    json.find((j) => j.status === 'confirmed'),
    out,
  ).toBeDefined();
  expect(lines, out).toContain('8');
  // The room, watched through the typed client: its snapshot, then the receipt of five.
  expect(
    lines.some((l) => /^snapshot HEL version \d+: \d+ levels$/.test(l)),
    out,
  ).toBe(true);
  expect(lines, out).toContain('stock DEMO-MUG on hand 15, reserved 2, available 13 (version 4)');
  expect(
    json.find((j) => typeof j.key === 'string' && (j.key as string).startsWith('vk_')),
    out,
  ).toBeDefined();
}, 60_000);
