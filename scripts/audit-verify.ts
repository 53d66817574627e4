/**
 * `bun run audit:verify`: recomputes the audit log's hash chain over the configured database
 * (DATABASE_URL, or the embedded one `bun run dev` uses), printing progress and every break it
 * finds (core/audit/chain-check.ts). Exits 1 when the chain is broken, 0 when it is whole.
 */
import pg from 'pg';
import { checkAuditChain } from '../core/audit/chain-check.ts';
import { withDatabase } from '../db/local-database.ts';

await withDatabase('audit-verify', async (url) => {
  const client = new pg.Client({ connectionString: url, application_name: 'varastokkr-audit-verify' });
  await client.connect();
  try {
    console.log('Checking the audit chain...');
    const report = await checkAuditChain(client, {
      onProgress: (checked) => console.log(`  ${checked} entries checked`),
    });
    for (const b of report.breaks)
      console.log(
        `BROKEN at position ${b.position}${b.entryId ? ` (entry ${b.entryId})` : ''}: ${b.problem}: ${b.detail}`,
      );
    console.log(`Head hash: ${report.headHash} after ${report.checked} entries.`);
    if (report.unchained > 0)
      console.log(`${report.unchained} newer entries wait for the chain-audit job (it runs every minute).`);
    if (report.breaks.length > 0) {
      console.log(`The audit chain is BROKEN: ${report.breaks.length} problem(s).`);
      process.exitCode = 1;
    } else console.log('The audit chain is intact.');
  } finally {
    await client.end();
  }
});
