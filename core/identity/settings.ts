import { createHash } from 'node:crypto';
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
  /** Sign-in throttling, in fixed windows of `loginWindowSeconds` (rules in throttle.ts). */
  loginWindowSeconds: number;
  /** Hard limit per (account, client address): a stranger's failures never lock a user out elsewhere. */
  loginMaxFailuresPerAccount: number;
  /** Hard limit per client address, over every account (password spraying). */
  loginMaxFailuresPerAddress: number;
  /** Hard ceiling per account over every address not known to it (a distributed guess). */
  loginMaxFailuresPerAccountTotal: number;
  /** From this many account-wide failures on, each attempt from an unknown address waits... */
  loginDelayAfterFailures: number;
  /** ...1 s, doubling with every further failure, up to this. */
  loginMaxDelaySeconds: number;
  /** An address that signed in to an account skips the account-wide rules for this long. */
  loginKnownAddressDays: number;
  /** Key-encryption keys for the signing keys at rest (base64 of 32 bytes): current, and previous. */
  signingKeyEncryption: { current: string; previous?: string | undefined };
}

/**
 * The development and test key-encryption key: public, so that `bun run dev` needs no setup.
 * Production refuses to start without SIGNING_KEY_ENCRYPTION_KEY (see platform/config.ts).
 */
export const DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY = createHash('sha256')
  .update('varastokkr development signing-key encryption key')
  .digest('base64');

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
    loginMaxFailuresPerAccountTotal: cfg.LOGIN_MAX_FAILURES_PER_ACCOUNT_TOTAL,
    loginDelayAfterFailures: cfg.LOGIN_DELAY_AFTER_FAILURES,
    loginMaxDelaySeconds: cfg.LOGIN_MAX_DELAY_SECONDS,
    loginKnownAddressDays: cfg.LOGIN_KNOWN_ADDRESS_DAYS,
    signingKeyEncryption: {
      current: cfg.SIGNING_KEY_ENCRYPTION_KEY ?? DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY,
      previous: cfg.SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS,
    },
  };
}
