/** A shop's order delivery, stored by its receiver: placed, changed or cancelled as an order, once. */
import { processDelivery, recordFailure } from '../../core/integrations/ingestion-processing.ts';
import { createLocalInventoryClient } from '../../core/inventory/client.ts';
import { createLocalOrdersClient } from '../../core/orders/client.ts';
import { config, holdSettingsFrom } from '../../core/platform/config.ts';
import { defineTask } from '../task.ts';

export const ingestOrderTask = defineTask('ingest-order', async (payload, deps) => {
  const orders = createLocalOrdersClient({
    db: deps.db,
    log: deps.log,
    inventory: createLocalInventoryClient(deps.db),
    holds: holdSettingsFrom(config()),
  });
  try {
    await processDelivery({ db: deps.db, log: deps.log, orders }, payload);
  } catch (err) {
    // Thrown errors (the database, not a refusal) leave the job to graphile-worker's retries;
    // after the last one the ingestion is listed as needing attention rather than lost in a
    // failed job.
    const { attempts, max_attempts } = deps.helpers.job;
    if (attempts < max_attempts) throw err;
    deps.log.error('order delivery failed on its last attempt', { error: String(err) });
    await recordFailure(deps.db, payload, err);
  }
});
