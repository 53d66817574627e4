import { errors, jwtVerify, SignJWT } from 'jose';
import { UnauthorizedError } from '../platform/problem.ts';
import type { AuthSettings } from './settings.ts';
import type { KeyRing } from './signing-keys.ts';
import type { Role } from './tables.ts';

export interface AccessClaims {
  sub: string;
  roles: Role[];
  /** Warehouse ids in the user's scope. */
  wh: string[];
  /** The refresh-token family (sign-in session) the token belongs to. */
  sid: string;
}

export async function issueAccessToken(
  keys: KeyRing,
  settings: AuthSettings,
  claims: AccessClaims,
): Promise<string> {
  const { kid, key } = await keys.signingKey();
  return new SignJWT({ roles: claims.roles, wh: claims.wh, sid: claims.sid })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .setSubject(claims.sub)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setNotBefore('0s')
    .setJti(crypto.randomUUID())
    .setExpirationTime(`${settings.accessTokenTtlSeconds}s`)
    .sign(key);
}

/**
 * Verifies signature, algorithm (ES256 only: `none` and HMAC with the public key are refused),
 * issuer, audience, expiry and not-before, all pinned. Any failure is a 401 that says only
 * whether to refresh.
 */
/**
 * Tokens whose signature and claims this process has verified, until they expire: a client
 * sends the same token for 15 minutes, and an ES256 verification per request costs more than
 * the rest of a small request. The key is the whole token, so a changed byte verifies afresh.
 */
const verified = new WeakMap<KeyRing, Map<string, { claims: AccessClaims; expiresAt: number }>>();
const VERIFIED_MAX = 10_000;

function remember(keys: KeyRing, token: string, claims: AccessClaims, exp: number) {
  const cache = verified.get(keys) ?? new Map<string, { claims: AccessClaims; expiresAt: number }>();
  verified.set(keys, cache);
  const oldest = cache.keys().next();
  if (cache.size >= VERIFIED_MAX && !oldest.done) cache.delete(oldest.value);
  cache.set(token, { claims, expiresAt: exp * 1000 });
}

export async function verifyAccessToken(
  keys: KeyRing,
  settings: AuthSettings,
  token: string,
): Promise<AccessClaims> {
  const known = verified.get(keys)?.get(token);
  if (known && known.expiresAt > Date.now()) return known.claims;
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = header.kid ? await keys.verificationKey(header.kid) : undefined;
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: ['ES256'],
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['sub', 'exp', 'iat', 'nbf'],
        clockTolerance: 5,
      },
    );
    const { sub, roles, wh, sid } = payload as Record<string, unknown>;
    if (typeof sub !== 'string' || !Array.isArray(roles) || !Array.isArray(wh) || typeof sid !== 'string') {
      throw new errors.JWTClaimValidationFailed('claims of the wrong shape', payload);
    }
    remember(keys, token, { sub, roles: roles as Role[], wh: wh as string[], sid }, Number(payload.exp));
    return { sub, roles: roles as Role[], wh: wh as string[], sid };
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      throw new UnauthorizedError('The access token has expired; refresh it.');
    }
    if (err instanceof errors.JOSEError) throw new UnauthorizedError('The access token is not valid.');
    throw err; // the key store failing is our problem (5xx), not the caller's
  }
}
