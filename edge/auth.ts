import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { UnauthorizedError } from '../core/platform/problem.ts';
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
const verifiedTokens = new Map<string, { roles: string[]; warehouseIds: string[]; exp: number }>();

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

/** A bearer token's roles and warehouse scope, once its signature and claims check out. */
export async function verifyAccessToken(
  cfg: EdgeConfig,
  token: string,
): Promise<{ roles: string[]; warehouseIds: string[] }> {
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
    const verified = { roles: strings(payload.roles), warehouseIds: strings(payload.wh), exp: payload.exp! };
    if (verifiedTokens.size >= 10_000) verifiedTokens.clear();
    verifiedTokens.set(token, verified);
    return verified;
  } catch (err) {
    if (err instanceof errors.JWTExpired)
      throw new UnauthorizedError('The access token has expired; refresh it.');
    throw new UnauthorizedError('The access token is not valid.');
  }
}

/** Internal endpoints (the jobs runner's calls): `Authorization: Bearer <INTERNAL_SECRET>`. */
export async function refuseWithoutInternalSecret(cfg: EdgeConfig, authorization: string | undefined) {
  const secret = cfg.INTERNAL_SECRET;
  const given = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (!secret || !given) throw new UnauthorizedError("This endpoint is for Varastokkr's own services.");
  const [a, b] = await Promise.all(
    [secret, given].map(async (s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))),
  );
  // Equal-length digests compared without an early exit.
  const x = new Uint8Array(a!);
  const y = new Uint8Array(b!);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  if (diff !== 0) throw new UnauthorizedError("This endpoint is for Varastokkr's own services.");
}
