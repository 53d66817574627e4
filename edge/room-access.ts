/**
 * The upgrade's check: the caller as core knows it now (a disabled user, a logged-out session
 * or a revoked key is refused even with an unexpired credential), asked the room policy.
 */
import { mayAttempt, type Principal } from '../core/identity/policy.ts';
import { ForbiddenError, ServiceUnavailableError, UnauthorizedError } from '../core/platform/problem.ts';
import { verifyAccessToken } from './auth.ts';
import { type EdgeConfig, serviceUrl } from './env.ts';
import { fetchCallerFromCore } from './gateway.ts';
import { roomRights, type SocketAccess } from './room-rules.ts';

/** What the caller sent to open a socket: an access token, or (non-browser clients) an API key. */
export interface SocketCredentials {
  token?: string | undefined;
  apiKey?: string | undefined;
}

/**
 * The caller as core knows it now (GET /api/auth/me with the caller's own credentials): the
 * token's signature is checked here first, so garbage never reaches core; core then refuses a
 * disabled user, a logged-out session or a revoked key. Core down is a 503, never a 401.
 */
async function currentPrincipal(cfg: EdgeConfig, credentials: SocketCredentials, requestId: string) {
  const headers = new Headers();
  if (credentials.token) headers.set('authorization', `Bearer ${credentials.token}`);
  else if (credentials.apiKey) headers.set('x-api-key', credentials.apiKey);
  let res: Response;
  try {
    res = await fetchCallerFromCore(serviceUrl(cfg, 'identity'), headers, {
      requestId,
      timeoutMs: cfg.GATEWAY_TIMEOUT_MS,
      signingSecret: cfg.EDGE_SIGNING_SECRET,
    });
  } catch {
    throw new ServiceUnavailableError('The identity service cannot be reached; retry shortly.');
  }
  if (res.status === 401) {
    const detail = ((await res.json().catch(() => ({}))) as { detail?: unknown }).detail;
    throw new UnauthorizedError(typeof detail === 'string' ? detail : undefined);
  }
  if (!res.ok) throw new ServiceUnavailableError('The identity service cannot check you right now.');
  return (await res.json()) as Principal;
}

/** Checks a socket's caller and right to this room before the upgrade: 401, 403 or 503, or its access. */
export async function socketAccess(
  cfg: EdgeConfig,
  credentials: SocketCredentials,
  warehouseId: string,
  requestId: string,
): Promise<SocketAccess> {
  const claims = credentials.token ? await verifyAccessToken(cfg, credentials.token) : undefined;
  if (!claims && !credentials.apiKey)
    throw new UnauthorizedError(
      'Send the access token as ?token= or the protocol bearer.<token> (or, outside a browser, X-API-Key).',
    );
  const principal = await currentPrincipal(cfg, credentials, requestId);
  const rights = roomRights(principal, warehouseId);
  if (!rights)
    throw new ForbiddenError(
      mayAttempt(principal, 'stock:read')
        ? 'This warehouse is outside your scope.'
        : 'Your role may not do stock:read, which a live warehouse room needs.',
    );
  return {
    owner: { kind: principal.kind, id: principal.id, sid: claims?.sid ?? null },
    rights,
    expiresAt: claims ? claims.exp * 1000 : null,
    issuedAt: claims ? claims.iat * 1000 : null,
  };
}
