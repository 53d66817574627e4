import { createRoute } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { createRouter } from '../app-env.ts';
import { jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { ForbiddenError, UnauthorizedError } from '../platform/problem.ts';
import { authProblems, clientAddress, publicRoute, secured } from './authorize.ts';
import { attemptableActions, type Principal } from './policy.ts';
import { revokeFamilyOf } from './refresh-tokens.ts';
import { tellRoomsOfLogout } from './room-sockets.ts';
import {
  jwksSchema,
  loginSchema,
  meSchema,
  refreshSchema,
  tokenPairSchema,
  updateMeSchema,
} from './schemas.ts';
import { checkPasswordThrottled, refreshSession, signIn } from './sessions.ts';
import { users } from './tables.ts';
import { updateUser } from './users.ts';

const login = createRoute({
  method: 'post',
  path: '/api/auth/login',
  operationId: 'login',
  tags: ['identity'],
  summary: 'Sign in with email and password',
  description:
    'Answers an access token (a 15-minute ES256 JWT for the Authorization header) and a refresh token (single use; trade it at /api/auth/refresh). Wrong credentials are 401 without saying which part was wrong; repeated failures per address and per account are throttled with 429 and Retry-After.',
  ...publicRoute,
  request: { body: jsonBody(loginSchema) },
  responses: {
    200: jsonContent(tokenPairSchema, 'Signed in'),
    ...problemResponses(400, 401, 415, 422, 429, 503),
  },
});

const refresh = createRoute({
  method: 'post',
  path: '/api/auth/refresh',
  operationId: 'refreshSession',
  tags: ['identity'],
  summary: 'Trade a refresh token for a new pair (the old one stops working)',
  description:
    'Refresh tokens rotate: each works once. Presenting one that was already used revokes its whole family (every token issued from the same sign-in), so a stolen token stops working for the thief and the owner alike; a second use within a few seconds (two tabs refreshing at once) gets the same new pair instead.',
  ...publicRoute,
  request: { body: jsonBody(refreshSchema) },
  responses: { 200: jsonContent(tokenPairSchema, 'A new pair'), ...problemResponses(400, 401, 415, 422) },
});

const logout = createRoute({
  method: 'post',
  path: '/api/auth/logout',
  operationId: 'logout',
  tags: ['identity'],
  summary: "Sign out: revokes the refresh token's whole family",
  description:
    "Revokes every refresh token issued from the same sign-in and closes that session's live warehouse sockets. Access tokens already issued stop working at the next check against the session. Answers 204 whether or not the token was still valid.",
  ...publicRoute,
  request: { body: jsonBody(refreshSchema) },
  responses: { 204: { description: 'Signed out' }, ...problemResponses(400, 415, 422) },
});

const me = createRoute({
  method: 'get',
  path: '/api/auth/me',
  operationId: 'getMe',
  tags: ['identity'],
  summary: 'The caller',
  description:
    'Who the credentials belong to: a user or an API key, with roles and the warehouses in scope. Any role.',
  ...secured('profile:read'),
  responses: { 200: jsonContent(meSchema, 'The caller'), ...authProblems },
});

const updateMe = createRoute({
  method: 'patch',
  path: '/api/auth/me',
  operationId: 'updateMe',
  tags: ['identity'],
  summary: 'Change your name or password (never your roles or scopes)',
  description:
    'A signed-in user changes their own name, or their password with `currentPassword` (checked under the same throttle as sign-in). An API key has no profile: 403.',
  ...secured('profile:update'),
  request: { body: jsonBody(updateMeSchema) },
  responses: {
    200: jsonContent(meSchema, 'The caller, updated'),
    ...authProblems,
    ...problemResponses(422, 429),
  },
});

const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  operationId: 'getJwks',
  tags: ['identity'],
  summary: 'Public keys that verify access tokens (including the next key, before it signs)',
  description:
    'The ES256 public keys access tokens are signed with, including the next key before it starts signing, so a verifier caching this set (it may for five minutes) never meets an unknown key id.',
  ...publicRoute,
  responses: { 200: jsonContent(jwksSchema, 'JSON Web Key Set') },
});

/** The caller as `/api/auth/me` shows it, with what the policy lets it attempt. */
function describeCaller(p: Principal) {
  const { id, kind, email, name, roles, warehouseIds } = p;
  return { id, kind, email, name, roles, warehouseIds, actions: attemptableActions(p) };
}

export const authRoutes = createRouter()
  .openapi(login, async (c) => {
    const { email, password } = c.req.valid('json');
    return c.json(await signIn(c.var.db, c.var.identity, email, password, clientAddress(c)), 200);
  })
  .openapi(refresh, async (c) =>
    c.json(await refreshSession(c.var.db, c.var.identity, c.req.valid('json').refreshToken), 200),
  )
  .openapi(logout, async (c) => {
    const { refreshToken } = c.req.valid('json');
    await c.var.db.transaction(async (tx) => {
      await revokeFamilyOf(tx, refreshToken);
      await tellRoomsOfLogout(tx, refreshToken);
    });
    return c.body(null, 204);
  })
  .openapi(me, async (c) => {
    return c.json(describeCaller(c.var.principal), 200);
  })
  .openapi(updateMe, async (c) => {
    const body = c.req.valid('json');
    const { db, identity, principal } = c.var;
    if (principal.kind !== 'user') {
      throw new ForbiddenError('Only a signed-in user has a profile to change; an API key has none.');
    }
    if (body.newPassword !== undefined) {
      const [row] = await db
        .select({ hash: users.passwordHash })
        .from(users)
        .where(eq(users.id, principal.id));
      // The same throttle as sign-in: a stolen access token must not become a password oracle.
      const attempt = { email: principal.email ?? principal.id, address: clientAddress(c) };
      if (
        !(await checkPasswordThrottled(
          db,
          identity,
          { ...attempt, password: body.currentPassword ?? '' },
          row?.hash,
        ))
      ) {
        throw new UnauthorizedError('The current password is wrong.');
      }
    }
    const user = await updateUser(db, identity.passwords, identity.settings, principal, principal.id, {
      name: body.name,
      password: body.newPassword,
    });
    return c.json(
      describeCaller({
        id: user.id,
        kind: 'user',
        email: user.email,
        name: user.name,
        roles: user.roles,
        warehouseIds: user.warehouseIds,
      }),
      200,
    );
  })
  .openapi(jwks, async (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.json(await c.var.identity.keys.publicJwks(), 200);
  });
