import { describe, expect, test } from 'bun:test';
import { sameSecret } from './secret-compare.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const SECRET = 'internal-3f9c2a7e-secret';

describe('sameSecret', () => {
  test('is true for the secret itself', () => {
    expect(sameSecret(bytes(SECRET), bytes(SECRET))).toBe(true);
  });

  test.each([
    ['nothing', ''],
    ['a prefix of it', SECRET.slice(0, -1)],
    ['it and more', `${SECRET}x`],
    ['it followed by a zero byte', `${SECRET}\u0000`],
    ['a guess of the same length', `${SECRET.slice(0, -1)}X`],
    ['another secret', 'something-else'],
  ])('is false for %s', (_, offered) => {
    expect(sameSecret(bytes(SECRET), bytes(offered))).toBe(false);
  });
});
