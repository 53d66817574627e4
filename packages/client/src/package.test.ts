/**
 * The package stands on its own: the committed types are what the generator makes of the
 * committed openapi.json, its sources import nothing outside the package but openapi-fetch, they
 * compile as a browser app would (DOM types, no Bun), and its room message types are the
 * server's room contract.
 */
import { expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  type clientMessageSchema,
  MAX_WATCHED_SKUS as contractMaxWatched,
  type roomMessageSchema,
} from '../../../core/platform/room-contract.ts';
import { generateTypes, typesPath } from '../scripts/generate.ts';
import { MAX_WATCHED_SKUS, type RoomClientMessage, type RoomMessage } from './index.ts';

const packageDir = join(import.meta.dir, '..');
const sources = readdirSync(import.meta.dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

test('src/api.d.ts is what `bun run client:generate` makes of openapi.json', async () => {
  const committed = readFileSync(typesPath, 'utf8');
  expect(committed === (await generateTypes()), 'run `bun run client:generate` and commit the result').toBe(
    true,
  );
}, 60_000);

test('the sources import only each other and openapi-fetch', () => {
  const outside = sources.flatMap((file) =>
    [
      ...readFileSync(join(import.meta.dir, file), 'utf8').matchAll(
        /\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'/g,
      ),
    ]
      .map((m) => m[1] ?? m[2] ?? '')
      .filter((spec) => !(spec.startsWith('./') && !spec.includes('/', 2)) && spec !== 'openapi-fetch')
      .map((spec) => `${file} imports ${spec}`),
  );
  expect(outside).toEqual([]);
});

test('the sources compile for a browser: DOM types, no Bun types', () => {
  const tsc = Bun.spawnSync([join(packageDir, '../../node_modules/.bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: packageDir,
  });
  expect(tsc.exitCode, tsc.stdout.toString() + tsc.stderr.toString()).toBe(0);
});

test('the README examples compile against the package', () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  expect(blocks.length).toBeGreaterThan(1);
  // Each example in a function of its own; what they take as given is declared.
  const given = [
    "import { connectRoom, createClient, ProblemError } from '@varastokkr/client';",
    'declare const warehouseId: string;',
    'declare function render(levels: unknown): void;',
    'declare function update(sku: string, available: number): void;',
    'declare function notify(event: string, data: unknown): void;',
    'declare function showSignedOut(reason: string): void;',
    "let api = createClient({ baseUrl: 'http://127.0.0.1:8787' });",
    'void [connectRoom, ProblemError, api];',
  ];
  const examples = blocks.map(
    (b, i) =>
      `export async function example${i}() {\n${b.replace(/^import .*$/gm, '').replace(/^const api =/m, 'api =')}\n}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'client-readme-'));
  try {
    writeFileSync(join(dir, 'readme.ts'), [...given, ...examples].join('\n'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(packageDir, 'tsconfig.json'),
        compilerOptions: { paths: { '@varastokkr/client': [join(import.meta.dir, 'index.ts')] } },
        include: ['readme.ts'],
      }),
    );
    const tsc = Bun.spawnSync([join(packageDir, '../../node_modules/.bin/tsc'), '-p', dir]);
    expect(tsc.exitCode, tsc.stdout.toString() + tsc.stderr.toString()).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('package.json names what it publishes', () => {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  expect(manifest).toMatchObject({ name: '@varastokkr/client', license: 'MIT', type: 'module' });
  expect(manifest.private).toBeUndefined();
  expect(Object.keys(manifest.dependencies)).toEqual(['openapi-fetch']);
  for (const file of ['README.md', 'src/index.ts', 'src/api.d.ts'])
    expect(readFileSync(join(packageDir, file), 'utf8').length).toBeGreaterThan(0);
});

// The room message types, checked against the server's zod contract by the compiler.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const roomMessagesMatch: Same<RoomMessage, z.infer<typeof roomMessageSchema>> = true;
const clientMessagesMatch: Same<RoomClientMessage, z.infer<typeof clientMessageSchema>> = true;

test('the room message types are the server contract (checked by `bun run typecheck`)', () => {
  expect([roomMessagesMatch, clientMessagesMatch]).toEqual([true, true]);
  expect(MAX_WATCHED_SKUS).toBe(contractMaxWatched);
});
