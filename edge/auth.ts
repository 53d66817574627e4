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
 * Refuses a request early unless it carries credentials: a bearer token is verified here
 * (signature, ES256 only, issuer, audience, expiry); an API key is checked by core, which
 * verifies bearer tokens again as well.
 */
export async function refuseWithoutCredentials(cfg: EdgeConfig, headers: Headers): Promise<void> {
  const authorization = headers.get('authorization');
  if (!authorization) {
    if (headers.get('x-api-key')) return;
    throw new UnauthorizedError();
  }
  const token = /^Bearer (\S+)$/.exec(authorization)?.[1];
  if (!token) throw new UnauthorizedError('Send the access token as `Authorization: Bearer <token>`.');
  try {
    await jwtVerify(token, jwks(cfg), {
      algorithms: ['ES256'],
      issuer: cfg.JWT_ISSUER,
      audience: cfg.JWT_AUDIENCE,
      requiredClaims: ['sub', 'exp', 'iat', 'nbf'],
      clockTolerance: 5,
    });
  } catch (err) {
    if (err instanceof errors.JWTExpired)
      throw new UnauthorizedError('The access token has expired; refresh it.');
    throw new UnauthorizedError('The access token is not valid.');
  }
}
