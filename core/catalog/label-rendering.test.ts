/**
 * Labels are drawn off core's request loop, by a bounded pool. The pool here has one thread and
 * no queue, and its thread (test/fixtures/gated-label-worker.ts: the real drawing behind a gate)
 * holds each render until the test opens the gate, so what core does while a sheet is being
 * drawn is observed by order of events, never by time.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { useCore } from '../../test/harness/core.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { createLabelRenderer } from './label-rendering.ts';
import { LABEL_SHEET } from './labels.ts';

const labels = createLabelRenderer({
  workers: 1,
  queue: 0,
  workerUrl: new URL('../../test/fixtures/gated-label-worker.ts', import.meta.url),
});
const gate = new BroadcastChannel('label-gate');
afterAll(() => {
  gate.close();
  labels.close();
});

/** Resolves when the gated thread has started drawing a job of this kind. */
const started = (kind: 'sheet' | 'label') =>
  new Promise<void>((resolve) => {
    const listener = (event: Event) => {
      if (((event as MessageEvent).data as { started?: string }).started !== kind) return;
      gate.removeEventListener('message', listener);
      resolve();
    };
    gate.addEventListener('message', listener);
  });

const core = useCore({ labels });
let manager: Actor;
const run = crypto.randomUUID().slice(0, 6).toUpperCase();
const skus = Array.from({ length: LABEL_SHEET.maxLabels }, (_, i) => `L${run}-${String(i).padStart(3, '0')}`);

beforeAll(async () => {
  manager = await signedIn({ url: core().url, db: core().database.db }, { roles: ['manager'] });
  const file = ['sku,name', ...skus.map((s, i) => `${s},Label product ${i}`)].join('\n');
  const res = await fetch(`${core().url}/api/products/import`, {
    method: 'POST',
    headers: { ...manager.headers, 'content-type': 'text/csv' },
    body: file,
  });
  expect(await res.json()).toMatchObject({ created: skus.length, failedCount: 0 });
});

const sheet = (list: string[]) =>
  fetch(`${core().url}/api/products/labels`, {
    method: 'POST',
    headers: { ...manager.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ skus: list }),
  });

describe('label rendering off the request loop', () => {
  test('core answers /healthz while a 240-label sheet is being drawn; beyond the bound it refuses at once', async () => {
    const drawing = started('sheet');
    let settled = false;
    const full = sheet(skus).finally(() => {
      settled = true;
    });
    await drawing;

    // The thread is busy with the sheet: the request loop still answers.
    const health = await fetch(`${core().url}/healthz`);
    expect(health.status).toBe(200);
    expect(settled).toBe(false);

    // One thread, no queue: another sheet and a single label are refused, not queued.
    const refused = await sheet(skus.slice(0, 2));
    const problem = await expectProblem(refused, 503, 'unavailable');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(problem.detail).toContain('label rendering');
    await expectProblem(
      await fetch(`${core().url}/api/products/${skus[0]}/label`, { headers: manager.headers }),
      503,
    );
    expect(settled).toBe(false);

    gate.postMessage('open');
    const res = await full;
    expect(res.status).toBe(200);
    const svg = await res.text();
    expect(svg).toContain(`height="${LABEL_SHEET.maxPages * 297}mm"`);
    for (const s of [skus[0], skus.at(-1)]) expect(svg).toContain(`>${s}</text>`);
  });

  test('once the thread is free, labels render again; refusals from the thread stay 422s', async () => {
    const drawing = started('label');
    const label = fetch(`${core().url}/api/products/${skus[1]}/label?format=png`, {
      headers: manager.headers,
    });
    await drawing;
    gate.postMessage('open');
    const png = await label;
    expect(png.status).toBe(200);
    expect([...new Uint8Array(await png.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);

    const refusing = started('label');
    const ean = fetch(`${core().url}/api/products/${skus[2]}/label?symbology=ean13`, {
      headers: manager.headers,
    });
    await refusing;
    gate.postMessage('open');
    const problem = await expectProblem(await ean, 422);
    expect(problem.errors?.map((e) => e.path)).toContain('symbology');
  });
});
