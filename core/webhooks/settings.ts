import { type AuthSettings, authSettingsFrom } from '../identity/settings.ts';
import type { Config } from '../platform/config.ts';

/** What sending webhooks needs from the configuration; tests pass their own (short delays). */
export interface WebhookSettings {
  /** Loopback, private, link-local and metadata targets, and plain http, are allowed. */
  allowPrivateUrls: boolean;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** A subscription failing this long is disabled; a delivery is retried at most this long. */
  disableAfterMs: number;
  /** How long the secret before a rotation still signs. */
  secretGraceMs: number;
  /** The key-encryption keys the secrets are sealed under (those of the signing keys). */
  keyEncryption: AuthSettings['signingKeyEncryption'];
}

const HOUR = 3_600_000;

/** Private targets and plain http: allowed unless set, except in production. */
export const allowPrivateUrlsFrom = (cfg: Config): boolean =>
  cfg.WEBHOOK_ALLOW_PRIVATE_URLS ?? cfg.NODE_ENV !== 'production';

export function webhookSettingsFrom(cfg: Config): WebhookSettings {
  return {
    allowPrivateUrls: allowPrivateUrlsFrom(cfg),
    timeoutMs: cfg.WEBHOOK_TIMEOUT_MS,
    retryBaseMs: cfg.WEBHOOK_RETRY_BASE_MS,
    retryMaxDelayMs: cfg.WEBHOOK_RETRY_MAX_DELAY_MS,
    disableAfterMs: cfg.WEBHOOK_DISABLE_AFTER_HOURS * HOUR,
    secretGraceMs: cfg.WEBHOOK_SECRET_GRACE_HOURS * HOUR,
    keyEncryption: authSettingsFrom(cfg).signingKeyEncryption,
  };
}

/**
 * The wait before attempt `failures + 1`: the base doubled per failure, capped, with jitter
 * (a random half to full of it), so receivers coming back are not met by every sender at once.
 */
export function retryDelayMs(settings: WebhookSettings, failures: number, random = Math.random()): number {
  const exponential = settings.retryBaseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30);
  const capped = Math.min(exponential, settings.retryMaxDelayMs);
  return Math.round(capped * (0.5 + random / 2));
}
