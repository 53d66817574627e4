import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { ServiceUnavailableError, UnauthorizedError } from '../core/platform/problem.ts';
import { sameSecret } from '../core/platform/secret-compare.ts';
import { type EdgeConfig, serviceUrl } from './env.ts';

let remote: { url: string; keys: ReturnType<typeof createRemoteJWKSet> } | undefined;

/**
 * The identity service's JWKS, cached by jose for ten minutes and fetched again when a token
 * names a key it does not know (at most every 30 s). New keys are published an hour before
 * they sign, so a cached set already holds them.
 */
function jwks(cfg: EdgeConfig) {
  const url = new URL('/.well-known/jwks.json', serviceUrl(cfg, 'identity')).toString();
  if (remote?.url !== url) {
    remote = {
      url,
      keys: createRemoteJWKSet(new URL(url), { cacheMaxAge: 600_000, cooldownDuration: 30_000 }),
    };
  }
  return remote.keys;
}

/**
 * Tokens this isolate has verified, until they expire: a signature check per token rather than
 * per request (a token cannot change, and core checks revocation on every request it sees).
 */
const verifiedTokens = new Map<string, VerifiedToken>();

/** What a verified access token says: the user, the sign-in session, roles, scope, expiry (seconds). */
export interface VerifiedToken {
  sub: string;
  sid: string;
  roles: string[];
  warehouseIds: string[];
  iat: number;
  exp: number;
}

/** How long a client should wait before retrying when the JWKS cannot be fetched. */
const JWKS_RETRY_AFTER_SECONDS = 5;

/**
 * Whether verification failed because the edge could not get the key set (core down, a 5xx, a
 * timeout, a body that is no key set), rather than because of the token: a 503, not a 401, or
 * clients would sign users out for our outage. jose's bare JOSEError is only thrown by the
 * remote key set; anything not from jose (a fetch that could not connect) is ours too.
 */
function keySetUnavailable(err: unknown): boolean {
  if (!(err instanceof errors.JOSEError)) return true;
  return (
    err.code === errors.JOSEError.code ||
    err.code === errors.JWKSTimeout.code ||
    err.code === errors.JWKSInvalid.code
  );
}

/** Who the edge let through: a verified token's roles, or an API key core has yet to check. */
export type EdgeCaller = { kind: 'token'; roles: string[] } | { kind: 'api_key'; key: string };

/**
 * Refuses a request early unless it carries credentials: a bearer token is verified here
 * (signature, ES256 only, issuer, audience, expiry); an API key is checked by core, which
 * verifies bearer tokens again as well.
 */
export async function refuseWithoutCredentials(cfg: EdgeConfig, headers: Headers): Promise<EdgeCaller> {
  const authorization = headers.get('authorization');
  if (!authorization) {
    const apiKey = headers.get('x-api-key');
    if (apiKey) return { kind: 'api_key', key: apiKey };
    throw new UnauthorizedError();
  }
  const token = /^Bearer (\S+)$/.exec(authorization)?.[1];
  if (!token) throw new UnauthorizedError('Send the access token as `Authorization: Bearer <token>`.');
  const { roles } = await verifyAccessToken(cfg, token);
  return { kind: 'token', roles };
}

/** A bearer token's claims, once its signature and claims check out. */
export async function verifyAccessToken(cfg: EdgeConfig, token: string): Promise<VerifiedToken> {
  const known = verifiedTokens.get(token);
  if (known && known.exp * 1000 > Date.now()) return known;
  try {
    const { payload } = await jwtVerify(token, jwks(cfg), {
      algorithms: ['ES256'],
      issuer: cfg.JWT_ISSUER,
      audience: cfg.JWT_AUDIENCE,
      requiredClaims: ['sub', 'exp', 'iat', 'nbf'],
      clockTolerance: 5,
    });
    const strings = (v: unknown) =>
      Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string') : [];
    // requiredClaims made jose refuse a token without these, so they are always here.
    const { sub = '', iat = 0, exp = 0 } = payload;
    const verified: VerifiedToken = {
      sub,
      sid: typeof payload.sid === 'string' ? payload.sid : '',
      roles: strings(payload.roles),
      warehouseIds: strings(payload.wh),
      iat,
      exp,
    };
    if (verifiedTokens.size >= 10_000) verifiedTokens.clear();
    verifiedTokens.set(token, verified);
    return verified;
  } catch (err) {
    if (err instanceof errors.JWTExpired)
      throw new UnauthorizedError('The access token has expired; refresh it.');
    if (keySetUnavailable(err)) {
      const unavailable = new ServiceUnavailableError(
        'The keys that verify access tokens cannot be fetched right now; retry shortly (you are still signed in).',
        { retryAfter: JWKS_RETRY_AFTER_SECONDS },
      );
      unavailable.headers = { 'retry-after': String(JWKS_RETRY_AFTER_SECONDS) };
      throw unavailable;
    }
    throw new UnauthorizedError('The access token is not valid.');
  }
}

const encoder = new TextEncoder();
/** The configured internal secret's bytes, encoded once per isolate (and again if it changes). */
let internalSecret: { text: string; bytes: Uint8Array } | undefined;

/** Internal endpoints (the jobs runner's calls): `Authorization: Bearer <INTERNAL_SECRET>`. */
export function refuseWithoutInternalSecret(cfg: EdgeConfig, authorization: string | undefined): void {
  const secret = cfg.INTERNAL_SECRET;
  const given = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (!secret || !given) throw new UnauthorizedError("This endpoint is for Varastokkr's own services.");
  if (internalSecret?.text !== secret) internalSecret = { text: secret, bytes: encoder.encode(secret) };
  if (!sameSecret(internalSecret.bytes, encoder.encode(given)))
    throw new UnauthorizedError("This endpoint is for Varastokkr's own services.");
}
