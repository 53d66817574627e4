import { pruneIdentity as pruneIdentityRows } from '../../core/identity/identity-upkeep.ts';
import { authSettingsFrom } from '../../core/identity/settings.ts';
import { rotateSigningKeys } from '../../core/identity/signing-keys.ts';
import { config } from '../../core/platform/config.ts';
import { defineTask } from '../task.ts';

/** Cron, hourly: moves signing keys along pending -> active -> retired -> gone. */
export const rotateKeys = defineTask('rotate-signing-keys', async (_payload, { db, log }) => {
  const result = await rotateSigningKeys(db, authSettingsFrom(config()));
  log.info('signing keys checked', { ...result });
});

/**
 * Cron, daily: refresh tokens past expiry (and a week's margin), old throttle windows, and
 * sealed refresh-token successors past their grace period.
 */
export const pruneIdentity = defineTask('prune-identity', async (_payload, { db, log }) => {
  log.info('identity pruned', await pruneIdentityRows(db, authSettingsFrom(config())));
});
