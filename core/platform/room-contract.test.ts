/** The room contract is defined once: no second level shape, level limit or hand-rolled edge call. */
import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  clientMessageSchema,
  LEVELS_PER_PUSH,
  levelPushSchema,
  type RoomMessage,
  roomMessageSchema,
} from './room-contract.ts';

const root = join(import.meta.dir, '..', '..');

/** Non-test TypeScript sources under these folders of the repository. */
function sources(...dirs: string[]): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(path);
      return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [relative(root, path)] : [];
    });
  return dirs.flatMap((d) => walk(join(root, d)));
}
const filesMatching = (pattern: RegExp, ...dirs: string[]) =>
  sources(...dirs).filter((f) => pattern.test(readFileSync(join(root, f), 'utf8')));

describe('one definition per contract', () => {
  test('the pushed level shape is written once, in core/platform/room-contract.ts', () => {
    // (core/inventory's REST schemas describe the public API's levels, another contract.)
    expect(filesMatching(/onHand: z\./, 'core/platform', 'edge', 'jobs')).toEqual([
      'core/platform/room-contract.ts',
    ]);
  });

  test('the level limit is written once: no 5000 beside levels at the edge or in jobs', () => {
    expect(filesMatching(/\b5_?000\b[\s\S]*levels|levels[\s\S]*\b5_?000\b/, 'edge', 'jobs')).toEqual([]);
    // The contract defines it; the edge client splits reconcile calls by it; the feed reads at
    // most that many changes per tick.
    expect(filesMatching(/LEVELS_PER_PUSH/, 'core', 'edge', 'jobs').sort()).toEqual([
      'core/platform/room-contract.ts',
      'jobs/edge-client.ts',
      'jobs/room-feed.ts',
    ]);
  });

  test('jobs reach the edge only through jobs/edge-client.ts', () => {
    expect(filesMatching(/\bfetch\(|['`]\/internal\//, 'jobs')).toEqual(['jobs/edge-client.ts']);
  });
});

describe('the schemas', () => {
  test('a push over the limit is refused, one at the limit is not', () => {
    const level = (i: number) => ({ sku: `S-${i}`, onHand: 1, reserved: 0, version: 1 });
    const levels = Array.from({ length: LEVELS_PER_PUSH + 1 }, (_, i) => level(i));
    expect(levelPushSchema.safeParse({ levels: levels.slice(1) }).success).toBe(true);
    expect(levelPushSchema.safeParse({ levels }).success).toBe(false);
  });

  test('room messages parse, and unknown ones do not', () => {
    const stock: RoomMessage = {
      type: 'stock',
      warehouseId: 'w',
      seq: 3,
      sku: 'A',
      onHand: 2,
      reserved: 1,
      available: 1,
      version: 4,
    };
    expect(roomMessageSchema.parse(stock)).toEqual(stock);
    expect(roomMessageSchema.parse({ type: 'pong' })).toEqual({ type: 'pong' });
    expect(roomMessageSchema.safeParse({ type: 'stock', sku: 'A' }).success).toBe(false);
    expect(roomMessageSchema.safeParse({ type: 'gossip' }).success).toBe(false);
    expect(clientMessageSchema.safeParse({ type: 'resume', since: 1.5 }).success).toBe(false);
  });
});
