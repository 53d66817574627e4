/**
 * Labels are drawn on worker threads (label-worker.ts), not in the request loop: a sheet of 240
 * takes from half a second (code128) to two (QR codes) of CPU, during which core would answer
 * nothing else. A bounded pool: at most `workers` labels or sheets at once, `queue` waiting,
 * and a 503 with Retry-After beyond that.
 */
import { WorkerPool } from '../platform/worker-pool.ts';
import type { LabelFormat, LabelProduct, LabelSymbology, RenderedLabel } from './labels.ts';

export type LabelJob =
  | { kind: 'label'; product: LabelProduct; format: LabelFormat; symbology: LabelSymbology }
  | { kind: 'sheet'; products: LabelProduct[]; symbology: LabelSymbology };

export interface LabelRenderingOptions {
  workers: number;
  queue: number;
  /** A render running longer than this has its thread replaced (and answers 500). */
  timeoutMs?: number;
  /** The worker script; tests give one that waits for a signal before drawing. */
  workerUrl?: URL;
}

export interface LabelRenderer {
  label(
    product: LabelProduct,
    opts: { format: LabelFormat; symbology: LabelSymbology },
  ): Promise<RenderedLabel>;
  sheet(products: LabelProduct[], opts: { symbology: LabelSymbology }): Promise<string>;
  /** Renders running and waiting (for tests and metrics). */
  load(): { running: number; queued: number };
  close(): void;
}

/** Only what a label prints crosses to the thread (no cost prices or other fields). */
const printed = ({ sku, name, barcode }: LabelProduct): LabelProduct => ({ sku, name, barcode });

export function createLabelRenderer(opts: LabelRenderingOptions): LabelRenderer {
  const pool = new WorkerPool<LabelJob, RenderedLabel | string>({
    url: opts.workerUrl ?? new URL('./label-worker.ts', import.meta.url),
    name: 'label rendering',
    size: opts.workers,
    maxQueued: opts.queue,
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  return {
    label: async (product, { format, symbology }) =>
      (await pool.run({ kind: 'label', product: printed(product), format, symbology })) as RenderedLabel,
    sheet: async (products, { symbology }) =>
      (await pool.run({ kind: 'sheet', products: products.map(printed), symbology })) as string,
    load: () => pool.load,
    close: () => pool.close(),
  };
}
