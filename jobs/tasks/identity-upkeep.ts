import { pruneIdentity as pruneIdentityRows } from '../../core/identity/identity-upkeep.ts';
import { authSettingsFrom } from '../../core/identity/settings.ts';
import { rotateSigningKeys } from '../../core/identity/signing-keys.ts';
import { resealConnectionSecrets } from '../../core/integrations/connection-secrets.ts';
import { config } from '../../core/platform/config.ts';
import { resealWebhookSecrets } from '../../core/webhooks/webhook-secrets.ts';
import { defineTask } from '../task.ts';

/**
 * Cron, hourly: moves signing keys along pending -> active -> retired -> gone, and re-seals what
 * another KEK sealed (the keys, the shop connections' secrets and the webhook subscriptions'
 * signing secrets) under the current one.
 */
export const rotateKeys = defineTask('rotate-signing-keys', async (_payload, { db, log }) => {
  const settings = authSettingsFrom(config());
  const result = await rotateSigningKeys(db, settings);
  const connectionSecrets = await resealConnectionSecrets(db, settings);
  const webhookSecrets = await resealWebhookSecrets(db, settings.signingKeyEncryption);
  log.info('signing keys checked', {
    ...result,
    ...(connectionSecrets > 0 ? { connectionSecrets } : {}),
    ...(webhookSecrets > 0 ? { webhookSecrets } : {}),
  });
});

/**
 * Cron, daily: refresh tokens past expiry (and a week's margin), old throttle windows, and
 * sealed refresh-token successors past their grace period.
 */
export const pruneIdentity = defineTask('prune-identity', async (_payload, { db, log }) => {
  log.info('identity pruned', await pruneIdentityRows(db, authSettingsFrom(config())));
});
