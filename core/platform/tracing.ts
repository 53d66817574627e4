/**
 * OpenTelemetry traces, hand-written for both runtimes (Bun and workerd, where the OpenTelemetry
 * SDK's Node pieces do not run): W3C trace context (the `traceparent` header), spans, and an
 * exporter that posts them as OTLP/HTTP JSON to `${OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`.
 *
 * With no endpoint configured there is no tracer: a request only gets the ids its log lines
 * carry (continued from an incoming traceparent, or fresh), and no span is built or kept.
 */

export const TRACEPARENT_HEADER = 'traceparent';

/** Where a unit of work sits in its trace: the trace, and the span children hang under. */
export interface TraceIds {
  traceId: string;
  spanId: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const ZERO = /^0+$/;

/** A valid version-00 traceparent's ids; undefined for anything else (all-zero ids included). */
export function parseTraceparent(value: string | null | undefined): TraceIds | undefined {
  const m = TRACEPARENT.exec(value?.trim() ?? '');
  if (!m?.[1] || !m[2] || ZERO.test(m[1]) || ZERO.test(m[2])) return undefined;
  return { traceId: m[1], spanId: m[2] };
}

/** The header for children of `ids` (always sampled: sampling is the collector's business). */
export const formatTraceparent = (ids: TraceIds) => `00-${ids.traceId}-${ids.spanId}-01`;

// From randomUUID (122 random bits, and fast in Bun and workerd): on every request, with or
// without a collector. Its fixed version digits cost a trace id 6 of 128 bits.
const uuidHex = () => crypto.randomUUID().replaceAll('-', '');
export const newTraceId = uuidHex;
/** The UUID's last 16 hex digits (62 random bits: its variant digit is 8 to b). */
export const newSpanId = () => uuidHex().slice(16);

/** OTLP's SpanKind numbers. */
export const SpanKind = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

type AttributeValue = string | number | boolean;
type OtlpValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean };

const otlpValue = (v: AttributeValue): OtlpValue =>
  typeof v === 'string'
    ? { stringValue: v }
    : typeof v === 'boolean'
      ? { boolValue: v }
      : Number.isInteger(v)
        ? { intValue: String(v) }
        : { doubleValue: v };

/** Now, in nanoseconds since the epoch, as OTLP's JSON wants it (a decimal string). */
const nowNanos = () => String(Math.round(Date.now() * 1e6));

/** One span, as OTLP/JSON encodes it (ids in hex). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: OtlpValue }[];
  status: { code: number; message?: string };
}

export class Span {
  readonly ids: TraceIds;
  private readonly startTimeUnixNano = nowNanos();
  private readonly attributes: Record<string, AttributeValue> = {};
  private ended = false;

  constructor(
    private readonly tracer: Tracer,
    public name: string,
    private readonly kind: number,
    private readonly parent: TraceIds | undefined,
  ) {
    this.ids = { traceId: parent?.traceId ?? newTraceId(), spanId: newSpanId() };
  }

  set(attributes: Record<string, AttributeValue | undefined>): this {
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) this.attributes[k] = v;
    return this;
  }

  /** Ends the span (once) and queues it for export; `error` marks it failed. */
  end(error?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.tracer.record({
      ...this.ids,
      ...(this.parent ? { parentSpanId: this.parent.spanId } : {}),
      name: this.name,
      kind: this.kind,
      startTimeUnixNano: this.startTimeUnixNano,
      endTimeUnixNano: nowNanos(),
      attributes: Object.entries(this.attributes).map(([key, v]) => ({ key, value: otlpValue(v) })),
      status: error === undefined ? { code: 0 } : { code: 2, message: error },
    });
  }
}

export interface TracerOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to its /v1/traces. */
  endpoint: string;
  /** The resource's service.name: varastokkr-core, varastokkr-jobs, varastokkr-edge. */
  service: string;
  /** Spans kept while the collector does not answer; older ones are dropped past this. */
  maxQueue?: number;
  /** Told when an export fails (the spans are dropped: traces must never hold work up). */
  onExportError?: (err: unknown) => void;
}

/** Starts spans and sends them in batches: flush() posts what is queued (one request). */
export class Tracer {
  private queue: OtlpSpan[] = [];
  private readonly maxQueue: number;
  private readonly url: string;

  constructor(private readonly opts: TracerOptions) {
    this.maxQueue = opts.maxQueue ?? 2048;
    this.url = `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`;
  }

  start(name: string, kind: number, parent?: TraceIds): Span {
    return new Span(this, name, kind, parent);
  }

  record(span: OtlpSpan): void {
    if (this.queue.length >= this.maxQueue) this.queue.shift();
    this.queue.push(span);
  }

  /** Sends what is queued; false when the collector did not take it (those spans are dropped). */
  async flush(): Promise<boolean> {
    if (this.queue.length === 0) return true;
    const spans = this.queue;
    this.queue = [];
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: this.opts.service } }] },
          scopeSpans: [{ scope: { name: 'varastokkr' }, spans }],
        },
      ],
    };
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`the collector answered ${res.status}`);
      return true;
    } catch (err) {
      this.opts.onExportError?.(err);
      return false;
    }
  }
}
