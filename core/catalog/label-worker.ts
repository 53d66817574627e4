/** The thread that draws labels for label-rendering.ts: one job at a time, off the request loop. */
import { serveJobs } from '../platform/worker-pool.ts';
import type { LabelJob } from './label-rendering.ts';
import { renderLabel, renderLabelSheet } from './labels.ts';

serveJobs<LabelJob, unknown>((job) =>
  job.kind === 'sheet'
    ? renderLabelSheet(job.products, { symbology: job.symbology })
    : renderLabel(job.product, { format: job.format, symbology: job.symbology }),
);
