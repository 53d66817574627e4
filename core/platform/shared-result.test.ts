/** sharedResult with a clock the test moves: one run for concurrent callers and for ttlMs after. */
import { describe, expect, test } from 'bun:test';
import { sharedResult } from './shared-result.ts';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('sharedResult', () => {
  test('concurrent callers share one running check', async () => {
    const pending = deferred<string>();
    const shared = sharedResult(
      () => pending.promise,
      1000,
      () => 0,
    );
    const answers = Array.from({ length: 50 }, () => shared.get());
    expect(shared.runs).toBe(1);
    pending.resolve('ok');
    expect(await Promise.all(answers)).toEqual(Array(50).fill('ok'));
    expect(shared.runs).toBe(1);
  });

  test('a result is reused for ttlMs after it settled, then checked again', async () => {
    let clock = 0;
    let checks = 0;
    const shared = sharedResult(
      async () => ++checks,
      1000,
      () => clock,
    );
    expect(await shared.get()).toBe(1);
    clock = 999;
    expect(await shared.get()).toBe(1);
    clock = 1000;
    expect(await shared.get()).toBe(2);
    expect(shared.runs).toBe(2);
  });

  test('a failed check is shared and cached like a result', async () => {
    let clock = 0;
    let checks = 0;
    const shared = sharedResult(
      async () => {
        checks++;
        throw new Error('down');
      },
      1000,
      () => clock,
    );
    await expect(shared.get()).rejects.toThrow('down');
    await expect(shared.get()).rejects.toThrow('down');
    expect(checks).toBe(1);
    clock = 2000;
    await expect(shared.get()).rejects.toThrow('down');
    expect(checks).toBe(2);
  });
});
