import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { peerAddress } from '../platform/edge-trust.ts';
import { expected } from '../platform/invariant.ts';
import { problemResponses } from '../platform/openapi.ts';
import { ForbiddenError, UnauthorizedError } from '../platform/problem.ts';
import { verifyAccessToken } from './access-tokens.ts';
import { principalFromApiKey } from './api-keys.ts';
import { type Action, mayAttempt, type Principal } from './policy.ts';
import { principalForToken } from './users.ts';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

/**
 * Who is calling, from the request's own credentials: a bearer access token (verified here,
 * again, even when the edge verified it) or an X-API-Key. No identity header from the network
 * is ever trusted.
 */
export async function authenticate(c: Context<AppEnv>): Promise<Principal> {
  const authorization = c.req.header('authorization');
  if (authorization) {
    const match = BEARER.exec(authorization);
    if (!match) throw new UnauthorizedError('Send the access token as `Authorization: Bearer <token>`.');
    const { identity, db } = c.var;
    const claims = await verifyAccessToken(
      identity.keys,
      identity.settings,
      expected(match[1], 'the token BEARER captures'),
    );
    const principal = await principalForToken(db, claims.sub, claims.sid);
    if (!principal)
      throw new UnauthorizedError('This session has ended or the account is disabled; sign in again.');
    return principal;
  }
  const apiKey = c.req.header('x-api-key');
  if (apiKey) return principalFromApiKey(c.var.db, apiKey);
  throw new UnauthorizedError();
}

/** Route middleware: the caller must be authenticated and hold a role that may do `action`. */
export function authorize(action: Action): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await authenticate(c);
    if (!mayAttempt(principal, action)) throw new ForbiddenError(`Your role may not do ${action}.`);
    c.set('principal', principal);
    await next();
  };
}

/**
 * Spread into a createRoute() config: the action it needs, in code and in the OpenAPI document;
 * `then` runs after authorization (idempotency needs the caller).
 */
export function secured(
  action: Action,
  ...then: MiddlewareHandler<AppEnv>[]
): {
  middleware: MiddlewareHandler<AppEnv>[];
  security: Record<string, string[]>[];
  'x-action': Action;
} {
  return {
    middleware: [authorize(action), ...then],
    security: [{ bearerAuth: [] }, { apiKey: [] }],
    'x-action': action,
  };
}

export { publicRoute } from '../platform/openapi.ts';

export const authProblems = problemResponses(401, 403);

/**
 * The caller's address, for throttling: the client address the edge signed for this request
 * (core/platform/edge-trust.ts), else the socket's peer. X-Forwarded-For is never believed.
 */
export function clientAddress(c: Context<AppEnv>): string {
  return c.var.clientAddress ?? peerAddress(c);
}
