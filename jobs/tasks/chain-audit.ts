import { chainAuditEntries } from '../../core/audit/chain.ts';
import { defineTask } from '../task.ts';

/** Cron: appends the audit entries written since the last run to the hash chain (core/audit/chain.ts). */
export const chainAudit = defineTask('chain-audit', async (_payload, { db, log }) => {
  const client = await db.$client.connect();
  try {
    const chained = await chainAuditEntries(client);
    if (chained > 0) log.info('audit entries chained', { chained });
  } finally {
    client.release();
  }
});
