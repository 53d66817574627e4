/**
 * Core's side of the edge signature (see edge-signature.ts): which address a request comes
 * from, and, in production, refusing API calls that did not come through the edge.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from 'hono/bun';
import { checkEdgeSignature } from './edge-signature.ts';
import type { RequestEnv } from './http.ts';
import { ForbiddenError } from './problem.ts';

/** The socket's peer address (Bun's server.requestIP), or 'unknown' outside Bun.serve. */
export function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export type EdgeTrustEnv = RequestEnv & {
  Variables: {
    /** The address the caller is believed to have: the edge's signed client, else the peer. */
    clientAddress: string;
  };
};

export interface EdgeTrustOptions {
  /** EDGE_SIGNING_SECRET; without it no request counts as signed. */
  secret?: string | undefined;
  /** Refuse /api/* requests without a valid signature (production: core is reached through the edge). */
  required: boolean;
}

/**
 * Sets the caller's address for everything after it (clientAddress in identity, request logs).
 * Edge-only headers never reach a handler unverified: they are read here and nowhere else.
 */
export function trustEdge<E extends EdgeTrustEnv>(opts: EdgeTrustOptions): MiddlewareHandler<E> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const check = opts.secret
      ? await checkEdgeSignature(opts.secret, {
          method: c.req.method,
          pathAndQuery: url.pathname + url.search,
          headers: c.req.raw.headers,
        })
      : ({ valid: false, reason: 'unsigned' } as const);
    if (!check.valid && check.reason !== 'unsigned')
      c.var.log.warn('edge signature refused; using the peer address', { reason: check.reason });
    c.set('clientAddress', (check.valid && check.client) || peerAddress(c));
    if (opts.required && !check.valid && url.pathname.startsWith('/api/'))
      throw new ForbiddenError(
        'This API answers only requests forwarded by the edge; call it through the edge.',
      );
    await next();
  };
}
