/**
 * Walks the audit chain from its first position and recomputes every hash (`bun run
 * audit:verify`). What it finds: a position missing (a chain row deleted), an entry missing (an
 * entry deleted), a hash that does not match its entry (an entry or chain row edited), a link
 * whose previous hash is not its predecessor's (a chain row edited or removed). It reports the
 * head hash too: kept elsewhere, it also exposes the one thing a chain cannot show on its own,
 * the newest rows cut off.
 */
import type { SqlClient } from '../platform/sql-client.ts';
import { chainHash, ENTRY_COLUMNS, entryContent, GENESIS_HASH } from './entry-hash.ts';

export interface ChainBreak {
  position: number;
  entryId: string | null;
  problem: 'position-missing' | 'entry-missing' | 'hash-mismatch' | 'link-mismatch';
  detail: string;
}

export interface ChainReport {
  checked: number;
  breaks: ChainBreak[];
  headHash: string;
  /** Entries the chain job has not reached yet (written in the last minute or so). */
  unchained: number;
}

export interface CheckOptions {
  pageSize?: number;
  onProgress?: (checked: number) => void;
}

export async function checkAuditChain(client: SqlClient, opts: CheckOptions = {}): Promise<ChainReport> {
  const pageSize = opts.pageSize ?? 5000;
  const breaks: ChainBreak[] = [];
  let expectedPosition = 1;
  let prev = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const { rows } = await client.query(
      `select c.position, c.entry_id::text as chained_entry, c.prev_hash, c.hash, e.id is not null as present,
              ${ENTRY_COLUMNS}
       from audit.chain c left join audit.entries e on e.id = c.entry_id
       where c.position >= $1 order by c.position limit $2`,
      [expectedPosition, pageSize],
    );
    for (const row of rows) {
      const position = Number(row.position);
      const entryId = String(row.chained_entry);
      if (position !== expectedPosition)
        breaks.push({
          position: expectedPosition,
          entryId: null,
          problem: 'position-missing',
          detail: `positions ${expectedPosition}..${position - 1} are missing from the chain`,
        });
      if (row.prev_hash !== prev)
        breaks.push({
          position,
          entryId,
          problem: 'link-mismatch',
          detail: 'its previous hash is not the hash of the position before it',
        });
      if (row.present !== true)
        breaks.push({ position, entryId, problem: 'entry-missing', detail: `entry ${entryId} was deleted` });
      else if (chainHash(String(row.prev_hash), entryContent(row)) !== row.hash)
        breaks.push({
          position,
          entryId,
          problem: 'hash-mismatch',
          detail: `entry ${entryId} (or its chain row) changed after it was chained`,
        });
      prev = String(row.hash);
      expectedPosition = position + 1;
      checked += 1;
    }
    opts.onProgress?.(checked);
    if (rows.length < pageSize) break;
  }
  const { rows: waiting } = await client.query(
    'select count(*)::int as n from audit.entries e where not exists (select 1 from audit.chain c where c.entry_id = e.id)',
  );
  return { checked, breaks, headHash: prev, unchained: Number(waiting[0]?.n ?? 0) };
}
