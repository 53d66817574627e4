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
  /** Set (QSTASH_TOKEN): deliveries are published through QStash, which sends and retries them. */
  qstash?: QStashSettings | undefined;
}

/** Publishing through QStash and believing its callbacks (see qstash-publisher.ts, qstash-callback.ts). */
export interface QStashSettings {
  token: string;
  /** QStash's API; undefined: Upstash's. */
  url: string | undefined;
  currentSigningKey: string;
  nextSigningKey: string;
  retries: number;
  /** The public origin (and path prefix) QStash calls back on, without a trailing slash. */
  callbackBaseUrl: string;
}

function qstashSettingsFrom(cfg: Config): QStashSettings | undefined {
  const { QSTASH_TOKEN, QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY, WEBHOOK_CALLBACK_BASE_URL } =
    cfg;
  // The schema refuses a partial configuration; this only narrows the types.
  if (!QSTASH_TOKEN || !QSTASH_CURRENT_SIGNING_KEY || !QSTASH_NEXT_SIGNING_KEY || !WEBHOOK_CALLBACK_BASE_URL)
    return undefined;
  return {
    token: QSTASH_TOKEN,
    url: cfg.QSTASH_URL,
    currentSigningKey: QSTASH_CURRENT_SIGNING_KEY,
    nextSigningKey: QSTASH_NEXT_SIGNING_KEY,
    retries: cfg.QSTASH_RETRIES,
    callbackBaseUrl: WEBHOOK_CALLBACK_BASE_URL.replace(/\/+$/, ''),
  };
}

const HOUR = 3_600_000;

export function webhookSettingsFrom(cfg: Config): WebhookSettings {
  return {
    allowPrivateUrls: cfg.WEBHOOK_ALLOW_PRIVATE_URLS ?? cfg.NODE_ENV !== 'production',
    timeoutMs: cfg.WEBHOOK_TIMEOUT_MS,
    retryBaseMs: cfg.WEBHOOK_RETRY_BASE_MS,
    retryMaxDelayMs: cfg.WEBHOOK_RETRY_MAX_DELAY_MS,
    disableAfterMs: cfg.WEBHOOK_DISABLE_AFTER_HOURS * HOUR,
    secretGraceMs: cfg.WEBHOOK_SECRET_GRACE_HOURS * HOUR,
    keyEncryption: authSettingsFrom(cfg).signingKeyEncryption,
    qstash: qstashSettingsFrom(cfg),
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
