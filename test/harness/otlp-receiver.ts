/**
 * An in-process OpenTelemetry collector for tests: it takes OTLP/HTTP JSON at /v1/traces (what
 * OTEL_EXPORTER_OTLP_ENDPOINT points at) and keeps every span with its resource's service.name.
 */
import type { OtlpSpan } from '../../core/platform/tracing.ts';

export interface ReceivedSpan extends OtlpSpan {
  service: string;
}

export interface OtlpReceiver {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  url: string;
  spans: ReceivedSpan[];
  stop(): Promise<void>;
}

interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

export function otlpReceiver(): OtlpReceiver {
  const spans: ReceivedSpan[] = [];
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (req) => {
      const path = new URL(req.url).pathname;
      if (req.method !== 'POST' || path !== '/v1/traces') return new Response(null, { status: 404 });
      if (!req.headers.get('content-type')?.startsWith('application/json'))
        return new Response(null, { status: 415 });
      const body = (await req.json()) as ExportRequest;
      for (const resource of body.resourceSpans ?? []) {
        const service =
          resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const scope of resource.scopeSpans ?? [])
          for (const span of scope.spans ?? []) spans.push({ ...span, service });
      }
      return Response.json({});
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, spans, stop: () => server.stop(true) };
}
