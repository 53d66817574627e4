import type { Config } from '../platform/config.ts';

/** What identity needs from the configuration; tests pass their own (short windows, say). */
export interface AuthSettings {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  refreshReuseGraceSeconds: number;
  signingKeyRotationDays: number;
  signingKeyPublishLeadSeconds: number;
  passwordMinLength: number;
  passwordHashConcurrency: number;
  passwordHashQueue: number;
  loginWindowSeconds: number;
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerAddress: number;
}

export function authSettingsFrom(cfg: Config): AuthSettings {
  return {
    issuer: cfg.JWT_ISSUER,
    audience: cfg.JWT_AUDIENCE,
    accessTokenTtlSeconds: cfg.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: cfg.REFRESH_TOKEN_TTL_DAYS,
    refreshReuseGraceSeconds: cfg.REFRESH_REUSE_GRACE_SECONDS,
    signingKeyRotationDays: cfg.SIGNING_KEY_ROTATION_DAYS,
    signingKeyPublishLeadSeconds: cfg.SIGNING_KEY_PUBLISH_LEAD_SECONDS,
    passwordMinLength: cfg.PASSWORD_MIN_LENGTH,
    passwordHashConcurrency: cfg.PASSWORD_HASH_CONCURRENCY,
    passwordHashQueue: cfg.PASSWORD_HASH_QUEUE,
    loginWindowSeconds: cfg.LOGIN_WINDOW_SECONDS,
    loginMaxFailuresPerAccount: cfg.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    loginMaxFailuresPerAddress: cfg.LOGIN_MAX_FAILURES_PER_ADDRESS,
  };
}
