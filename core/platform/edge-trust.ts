/**
 * Core's side of the edge signature (see edge-signature.ts): which address a request comes
 * from, and, in production, refusing API calls that did not come through the edge.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from 'hono/bun';
import { checkEdgeSignature, type EdgeSignatureCheck } from './edge-signature.ts';
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
  /**
   * EDGE_SIGNING_SECRET, and during a rotation EDGE_SIGNING_SECRET_PREVIOUS: a signature made
   * with either counts. Without any, no request counts as signed.
   */
  secrets?: readonly (string | undefined)[];
  /** Refuse /api/* requests without a valid signature (production: core is reached through the edge). */
  required: boolean;
}

/** The first secret the signature checks out with, else why the current one refused it. */
async function checkWithAny(
  secrets: readonly (string | undefined)[],
  req: Parameters<typeof checkEdgeSignature>[1],
): Promise<EdgeSignatureCheck> {
  let first: EdgeSignatureCheck = { valid: false, reason: 'unsigned' };
  for (const [i, secret] of secrets.filter((s): s is string => !!s).entries()) {
    const check = await checkEdgeSignature(secret, req);
    if (check.valid) return check;
    if (i === 0) first = check;
  }
  return first;
}

/**
 * Sets the caller's address for everything after it (clientAddress in identity, request logs).
 * Edge-only headers never reach a handler unverified: they are read here and nowhere else.
 */
export function trustEdge<E extends EdgeTrustEnv>(opts: EdgeTrustOptions): MiddlewareHandler<E> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const check = await checkWithAny(opts.secrets ?? [], {
      method: c.req.method,
      pathAndQuery: url.pathname + url.search,
      headers: c.req.raw.headers,
    });
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
