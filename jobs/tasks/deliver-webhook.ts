import { config } from '../../core/platform/config.ts';
import { attemptDelivery } from '../../core/webhooks/delivery-attempts.ts';
import { webhookSettingsFrom } from '../../core/webhooks/settings.ts';
import { defineTask } from '../task.ts';

/**
 * One attempt of one webhook delivery (enqueued by publish-event, a retry or a replay, in the
 * subscription's own queue). A failed attempt is not a failed job: the attempt is recorded and
 * the next one scheduled with backoff in the same transaction (core/webhooks/delivery-attempts.ts).
 */
export const deliverWebhook = defineTask('deliver-webhook', async ({ deliveryId }, { db, log, webhooks }) => {
  const { result, outcome } = await attemptDelivery(
    db,
    deliveryId,
    webhooks ?? webhookSettingsFrom(config()),
  );
  if (['delivered', 'skipped', 'paused', 'published'].includes(result))
    log.debug('webhook delivery', { deliveryId, result });
  else
    log.info('webhook delivery', { deliveryId, result, status: outcome?.statusCode, error: outcome?.error });
});
