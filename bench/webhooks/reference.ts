/**
 * The webhooks benchmark's reference, measured before the stack starts: the bench process itself
 * sending signed deliveries to the nine healthy receivers with core's own sender (sendWebhook:
 * the target check, the signature, the bounded POST, the answer's first 1 KB) and nothing around
 * it (no job, no queue, no database), `concurrency` at a time as the jobs runner has slots.
 */

import type { WebhookSettings } from '../../core/webhooks/settings.ts';
import { newWebhookSecret } from '../../core/webhooks/webhook-secrets.ts';
import { sendWebhook } from '../../core/webhooks/webhook-sender.ts';
import type { Receivers } from './receivers.ts';

export interface BareSend {
  sent: number;
  /** Deliveries per second, first request to last answer. */
  rate: number;
  spanMs: number;
  /** Answers that were not 204 (or no answer). */
  failed: number;
}

export async function measureBareSender(
  receivers: Receivers,
  opts: { deliveries: number; concurrency: number; settings: WebhookSettings },
): Promise<BareSend> {
  const secrets = receivers.healthy.map(() => newWebhookSecret());
  await receivers.useSecrets(secrets);
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      for (let i = next++; i < opts.deliveries; i = next++) {
        const r = i % receivers.healthy.length;
        const body = JSON.stringify({
          type: 'stock.changed',
          timestamp: new Date().toISOString(),
          data: { sku: 'REF', onHand: i, reserved: 0, available: i, version: i, warehouseId: 'reference' },
        });
        const outcome = await sendWebhook(
          {
            deliveryId: crypto.randomUUID(),
            url: receivers.healthy[r] ?? '',
            body,
            secrets: [secrets[r] ?? ''],
          },
          opts.settings,
        );
        if (outcome.statusCode !== 204) failed++;
      }
    }),
  );
  const spanMs = performance.now() - started;
  return { sent: opts.deliveries, rate: (opts.deliveries * 1000) / spanMs, spanMs, failed };
}
