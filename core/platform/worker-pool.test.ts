/**
 * The worker pool with real Bun Worker threads (test/fixtures/gated-worker.ts): a job held at a
 * gate keeps its thread busy for as long as the test wants, so the bound is tested by order of
 * events, not by time.
 */
import { afterAll, afterEach, describe, expect, test } from 'bun:test';
import type { GatedJob } from '../../test/fixtures/gated-worker.ts';
import { AppError, ValidationError } from './problem.ts';
import { PoolBusyError, WorkerPool } from './worker-pool.ts';

const gate = new BroadcastChannel('worker-gate');
afterAll(() => gate.close());

/** Resolves when a held job with this value has started on a thread. */
const held = (value: number) =>
  new Promise<void>((resolve) => {
    const listener = (event: Event) => {
      if (((event as MessageEvent).data as { held?: number }).held !== value) return;
      gate.removeEventListener('message', listener);
      resolve();
    };
    gate.addEventListener('message', listener);
  });

const pools: WorkerPool<GatedJob, number>[] = [];
afterEach(() => {
  for (const pool of pools.splice(0)) pool.close();
});
function pool(size: number, maxQueued: number, timeoutMs = 60_000) {
  const created = new WorkerPool<GatedJob, number>({
    url: new URL('../../test/fixtures/gated-worker.ts', import.meta.url),
    name: 'test work',
    size,
    maxQueued,
    timeoutMs,
  });
  pools.push(created);
  return created;
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );

describe('WorkerPool', () => {
  test('runs jobs on threads and answers their results', async () => {
    const workers = pool(2, 0);
    expect(await Promise.all([workers.run({ value: 1 }), workers.run({ value: 2 })])).toEqual([2, 4]);
    expect(await workers.run({ value: 21 })).toBe(42);
  });

  test('beyond its threads and queue it refuses at once with a 503 and Retry-After', async () => {
    const workers = pool(1, 1);
    const running = workers.run({ value: 1, hold: true });
    await held(1);
    const waiting = workers.run({ value: 2 });
    const refused = await rejection(workers.run({ value: 3 }));
    expect(refused).toBeInstanceOf(PoolBusyError);
    expect((refused as AppError).status).toBe(503);
    expect((refused as AppError).headers['retry-after']).toBe('1');
    expect(workers.load).toEqual({ running: 1, queued: 1 });

    gate.postMessage('open');
    expect(await running).toBe(2);
    expect(await waiting).toBe(4);
    expect(workers.load).toEqual({ running: 0, queued: 0 });
    expect(await workers.run({ value: 5 })).toBe(10);
  });

  test('a ValidationError crosses back as one; other errors as plain errors', async () => {
    const workers = pool(1, 0);
    const invalid = await rejection(workers.run({ value: 3, fail: 'validation' }));
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).errors).toEqual([{ path: 'value', message: '3 is odd' }]);
    const failed = await rejection(workers.run({ value: 4, fail: 'error' }));
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(AppError);
    expect(await workers.run({ value: 6 })).toBe(12);
  });

  test('a job past its time loses its thread; the next job gets a fresh one', async () => {
    const workers = pool(1, 1, 300);
    const hung = rejection(workers.run({ value: 1, fail: 'hang' }));
    const next = workers.run({ value: 7 });
    expect(String(await hung)).toContain('took longer than 300 ms');
    expect(await next).toBe(14);
  });

  test('closing refuses what waits and what runs', async () => {
    const workers = pool(1, 1);
    const running = rejection(workers.run({ value: 8, hold: true }));
    await held(8);
    const waiting = rejection(workers.run({ value: 9 }));
    workers.close();
    expect(await running).toBeInstanceOf(Error);
    expect(await waiting).toBeInstanceOf(PoolBusyError);
    expect(await rejection(workers.run({ value: 10 }))).toBeInstanceOf(PoolBusyError);
  });
});
