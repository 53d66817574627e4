/**
 * The orders benchmark's check after every phase: the stock invariants (db/invariants.ts, the
 * checker `bun run verify:invariants` runs) over the whole bench database.
 */
import type { Database } from '../../core/platform/database.ts';
import { checkStock, type Violation } from '../../db/invariants.ts';

export type { Violation };

export const checkLedger = (db: Database): Promise<Violation[]> => checkStock(db.$client);

export const countOrders = async (db: Database) =>
  Number(
    ((await db.$client.query('select count(*)::bigint as n from orders.orders')).rows[0] as { n: string }).n,
  );
