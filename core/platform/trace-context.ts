/**
 * The trace a Bun process is working in (a request's span, a job's span), so that work it
 * enqueues continues that trace: the outbox puts the current traceparent into the job's payload
 * (TRACE_PAYLOAD_KEY) and the job runner takes it out before the task's schema sees it. Only
 * set while a tracer exports (with none configured, nothing runs in a context and payloads are
 * unchanged). Batches flushed for many requests run outside any (core/platform/batcher.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from './logger.ts';
import { parseTraceparent, type TraceIds, Tracer } from './tracing.ts';

const storage = new AsyncLocalStorage<string>();

export const traceContext = {
  /** Runs fn with `traceparent` as the current trace (jobs it enqueues continue it). */
  run: <T>(traceparent: string, fn: () => T): T => storage.run(traceparent, fn),
  /** Runs fn outside the caller's trace. */
  detached: <T>(fn: () => T): T => storage.exit(fn),
  current: (): string | undefined => storage.getStore(),
};

/** The payload field carrying the enqueuer's traceparent (every task schema ignores it: it is taken out first). */
export const TRACE_PAYLOAD_KEY = 'traceparent';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The payload with the current trace (or the one given: a batch writes for many requests), when
 * there is one and the payload is an object (array payloads, which graphile-worker concatenates
 * under a job key, carry none).
 */
export function withTrace<P>(payload: P, traceparent = storage.getStore()): P {
  if (traceparent === undefined || !isRecord(payload)) return payload;
  return { ...payload, [TRACE_PAYLOAD_KEY]: traceparent };
}

/** A job's payload without its trace field, and the trace it continues (if valid). */
export function takeTrace(raw: unknown): { payload: unknown; parent: TraceIds | undefined } {
  if (!isRecord(raw) || !(TRACE_PAYLOAD_KEY in raw)) return { payload: raw, parent: undefined };
  const { [TRACE_PAYLOAD_KEY]: traceparent, ...payload } = raw;
  return { payload, parent: typeof traceparent === 'string' ? parseTraceparent(traceparent) : undefined };
}

export interface ProcessTracer {
  tracer: Tracer;
  /** Stops the periodic export and sends what is left. */
  stop(): Promise<void>;
}

/** A Bun process's tracer: spans go to the collector every second, and at stop(). */
export function startProcessTracer(endpoint: string, service: string, log: Logger): ProcessTracer {
  let warned = false;
  const tracer = new Tracer({
    endpoint,
    service,
    onExportError: (err) => {
      // Once per outage: a collector down must not fill the log.
      if (!warned) log.warn('traces: the OTLP collector did not take spans; dropping them', { err });
      warned = true;
    },
  });
  const flush = async () => {
    if (await tracer.flush()) warned = false;
  };
  const timer = setInterval(flush, 1000);
  timer.unref?.();
  return {
    tracer,
    stop: async () => {
      clearInterval(timer);
      await tracer.flush();
    },
  };
}
