/**
 * Every write request (any method but GET, HEAD, OPTIONS) runs in an audit context: the
 * connections it uses tell the audit triggers who is writing (core/platform/audit-context.ts).
 * The principal is read when a connection is checked out, after the route's authorization.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { AuditActor, AuditFacts } from '../platform/audit-context.ts';
import { auditContext } from '../platform/audit-context.ts';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_USER_AGENT = 256;

function requestActor(c: Context<AppEnv>): AuditActor {
  const from = {
    ip: c.var.clientAddress ?? 'unknown',
    userAgent: c.req.header('user-agent')?.slice(0, MAX_USER_AGENT) ?? null,
  };
  const p = c.get('principal');
  if (!p) return { kind: 'anonymous', ...from };
  return { kind: p.kind, id: p.id, name: p.name, roles: p.roles, ...from };
}

export const requestAuditFacts = (c: Context<AppEnv>): AuditFacts => ({
  actor: requestActor(c),
  requestId: c.var.requestId,
});

export function auditWrites(): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    if (READS.has(c.req.method)) return next();
    return auditContext.run({ facts: () => requestAuditFacts(c) }, next);
  };
}
