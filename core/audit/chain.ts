/**
 * Appends new audit entries to the hash chain (the chain-audit job, every minute). The writes
 * themselves never touch the chain, so they never wait for each other: only this job orders
 * entries, one run at a time (an advisory lock).
 *
 * Order: (txid, id), and only entries whose transaction is older than the oldest one still
 * running (pg_snapshot_xmin). Identity ids are handed out before commit, so id order is not
 * commit order: an entry with a lower id may commit after a higher one was chained. A
 * transaction older than the snapshot's xmin has ended, though, so all its entries are visible
 * now and none can appear later; everything not yet chained therefore sorts after the last
 * chained (txid, id). The chain's last row is the watermark; there is no other state.
 */
import type { SqlClient } from '../platform/sql-client.ts';
import { chainHash, ENTRY_COLUMNS, entryContent, GENESIS_HASH } from './entry-hash.ts';

const CHAIN_LOCK_KEY = 'varastokkr:audit-chain';

interface ChainHead {
  position: number;
  hash: string;
  txid: string;
  entryId: string;
}

async function chainHead(client: SqlClient): Promise<ChainHead | undefined> {
  const { rows } = await client.query(
    `select c.position, c.hash, e.txid::text as txid, e.id::text as entry_id
     from audit.chain c join audit.entries e on e.id = c.entry_id order by c.position desc limit 1`,
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    position: Number(r.position),
    hash: String(r.hash),
    txid: String(r.txid),
    entryId: String(r.entry_id),
  };
}

/**
 * Chains up to `batch` entries per round until none are ready; returns how many. Runs in one
 * transaction per round on the client given (a dedicated connection: the lock is per transaction).
 */
export async function chainAuditEntries(client: SqlClient, batch = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const chained = await chainRound(client, batch);
    total += chained;
    if (chained < batch) return total;
  }
}

async function chainRound(client: SqlClient, batch: number): Promise<number> {
  await client.query('begin');
  try {
    const { rows: lock } = await client.query(
      'select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as taken',
      [CHAIN_LOCK_KEY],
    );
    if (lock[0]?.taken !== true) {
      await client.query('rollback');
      return 0;
    }
    const head = await chainHead(client);
    const { rows } = await client.query(
      `select ${ENTRY_COLUMNS} from audit.entries e
       where e.txid < pg_snapshot_xmin(pg_current_snapshot())
         and ($1::xid8 is null or (e.txid, e.id) > ($1::xid8, $2::bigint))
       order by e.txid, e.id limit $3`,
      [head?.txid ?? null, head?.entryId ?? null, batch],
    );
    let position = head?.position ?? 0;
    let prev = head?.hash ?? GENESIS_HASH;
    const links = rows.map((row) => {
      const hash = chainHash(prev, entryContent(row));
      position += 1;
      const link = { position, entryId: String(row.id), prevHash: prev, hash };
      prev = hash;
      return link;
    });
    if (links.length > 0)
      await client.query(
        `insert into audit.chain (position, entry_id, prev_hash, hash)
         select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[])`,
        [
          links.map((l) => l.position),
          links.map((l) => l.entryId),
          links.map((l) => l.prevHash),
          links.map((l) => l.hash),
        ],
      );
    await client.query('commit');
    return links.length;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}
