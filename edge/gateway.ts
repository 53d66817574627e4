import {
  EDGE_CLIENT_HEADER,
  EDGE_SIGNATURE_HEADER,
  EDGE_TIMESTAMP_HEADER,
  edgeSignatureHeaders,
} from '../core/platform/edge-signature.ts';
import { BadGatewayError, GatewayTimeoutError } from '../core/platform/problem.ts';
import { REQUEST_ID_HEADER } from '../core/platform/request-id.ts';
import { formatTraceparent, TRACEPARENT_HEADER, type TraceIds } from '../core/platform/tracing.ts';

// RFC 9110 7.6.1: connection-specific headers a proxy must not forward.
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** A copy of the headers without hop-by-hop ones, including those the Connection header names. */
export function endToEndHeaders(source: Headers): Headers {
  const headers = new Headers(source);
  const named = (source.get('connection') ?? '').split(',').map((h) => h.trim().toLowerCase());
  for (const name of [...HOP_BY_HOP, ...named]) if (name) headers.delete(name);
  return headers;
}

export interface ForwardOptions {
  requestId: string;
  timeoutMs: number;
  clientIp?: string | undefined;
  /** EDGE_SIGNING_SECRET: core believes the client address only from a signed request. */
  signingSecret?: string | undefined;
  /** The edge's span of this request: core's span continues it (W3C traceparent). */
  trace?: TraceIds | undefined;
}

/** Forwards a request to the same path on a core service; transport failures become 502/504 problems. */
export async function forwardRequest(req: Request, baseUrl: string, opts: ForwardOptions): Promise<Response> {
  const incoming = new URL(req.url);
  const target = new URL(incoming.pathname + incoming.search, baseUrl);
  const headers = endToEndHeaders(req.headers);
  // Forwarding headers come from us alone: a client's would let it pose as another address.
  // So do the edge signature headers: only the signature made here may reach core.
  for (const name of [
    EDGE_SIGNATURE_HEADER,
    EDGE_TIMESTAMP_HEADER,
    EDGE_CLIENT_HEADER,
    'host',
    'forwarded',
    'x-real-ip',
    'x-forwarded-for',
    'x-forwarded-host',
    'x-forwarded-proto',
  ]) {
    headers.delete(name);
  }
  headers.set(REQUEST_ID_HEADER, opts.requestId);
  // Core continues the edge's span, never a client's (which the edge itself continued).
  if (opts.trace) headers.set(TRACEPARENT_HEADER, formatTraceparent(opts.trace));
  else headers.delete(TRACEPARENT_HEADER);
  headers.set('x-forwarded-host', incoming.host);
  headers.set('x-forwarded-proto', incoming.protocol.replace(':', ''));
  if (opts.clientIp) headers.set('x-forwarded-for', opts.clientIp);
  if (opts.signingSecret) {
    const signed = await edgeSignatureHeaders(opts.signingSecret, {
      method: req.method,
      pathAndQuery: target.pathname + target.search,
      client: opts.clientIp ?? '',
    });
    for (const [name, value] of Object.entries(signed)) headers.set(name, value);
  }

  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: req.method,
      headers,
      body: hasBody ? req.body : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
      // Bun and Node need this to stream a request body; workerd ignores it.
      duplex: 'half',
    } as RequestInit);
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new GatewayTimeoutError(`The service did not answer within ${opts.timeoutMs} ms.`);
    }
    throw new BadGatewayError('The service behind this path could not be reached. Try again shortly.');
  }
  const responseHeaders = endToEndHeaders(upstream.headers);
  responseHeaders.set(REQUEST_ID_HEADER, opts.requestId);
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: responseHeaders,
  });
}

/**
 * The edge's own call to core's `GET /api/auth/me` with a caller's credentials (API-key roles,
 * the socket upgrade's check), signed like a forward: a production core refuses unsigned calls.
 */
export async function fetchCallerFromCore(
  identityUrl: string,
  credentials: Headers,
  opts: ForwardOptions,
): Promise<Response> {
  const me = new URL('/api/auth/me', identityUrl);
  const headers = new Headers(credentials);
  headers.set(REQUEST_ID_HEADER, opts.requestId);
  headers.set('accept', 'application/json');
  if (opts.signingSecret) {
    const signed = await edgeSignatureHeaders(opts.signingSecret, {
      method: 'GET',
      pathAndQuery: me.pathname,
      client: opts.clientIp ?? '',
    });
    for (const [name, value] of Object.entries(signed)) headers.set(name, value);
  }
  return fetch(me, { headers, signal: AbortSignal.timeout(opts.timeoutMs) });
}
