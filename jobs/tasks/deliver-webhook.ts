import { config } from '../../core/platform/config.ts';
import { type Attempt, type AttemptResult, attemptDelivery } from '../../core/webhooks/delivery-attempts.ts';
import { sendDueDeliveries } from '../../core/webhooks/due-deliveries.ts';
import { webhookSettingsFrom } from '../../core/webhooks/settings.ts';
import { defineTask } from '../task.ts';

const quiet: AttemptResult[] = ['delivered', 'skipped', 'paused', 'published'];

/**
 * Sends what is due of one subscription's deliveries (core/webhooks/due-deliveries.ts); woken by
 * publish-event, a retry's backoff, the end of a pause, a retry or a replay (delivery-queue.ts). A failed attempt is not a failed job: it is recorded and the next
 * one scheduled in the same transaction. A job that throws (the database gone) runs again.
 */
export const deliverWebhook = defineTask('deliver-webhook', async (payload, { db, log, webhooks }) => {
  const settings = webhooks ?? webhookSettingsFrom(config());
  const report = (deliveryId: string, { result, outcome }: Attempt) => {
    if (quiet.includes(result)) log.debug('webhook delivery', { deliveryId, result });
    else
      log.info('webhook delivery', {
        deliveryId,
        result,
        status: outcome?.statusCode,
        error: outcome?.error,
      });
  };
  // A job of an earlier version names one delivery.
  if ('deliveryId' in payload)
    report(payload.deliveryId, await attemptDelivery(db, payload.deliveryId, settings));
  else await sendDueDeliveries(db, payload.subscriptionId, settings, report);
});
