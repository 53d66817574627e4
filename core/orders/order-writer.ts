/**
 * New orders are written in batches: concurrent creations share one transaction (one INSERT,
 * one add_jobs for their events, one commit). Each order's idempotency response is stored in
 * that same transaction. A batch that fails (a duplicate externalRef) is retried order by order.
 */
import { sql } from 'drizzle-orm';
import { type AuditFacts, type AuditScope, auditSettingSql } from '../platform/audit-context.ts';
import { Batcher, perKey } from '../platform/batcher.ts';
import type { Database, Transaction } from '../platform/database.ts';
import { pgErrorCode } from '../platform/database.ts';
import type { IdempotencyClaim } from '../platform/idempotency.ts';
import { addEventJobs } from '../platform/outbox.ts';
import { type OrderRecord, orderEvents } from './order-store.ts';
import type { OrderView } from './schemas.ts';
import { orderRecords } from './tables.ts';

export interface NewOrder {
  record: OrderRecord;
  view: OrderView;
  requestId: string;
  claim: IdempotencyClaim | undefined;
  /** Who placed it, for the audit log: the batch is written outside any one request's context. */
  audit?: AuditFacts | undefined;
  /** The request's trace, for its order.created job (the batch runs outside the request's context). */
  traceparent?: string | undefined;
}

/** Each order's own request as the audit log's context for the batch's statement. */
function batchAuditScope(batch: readonly NewOrder[]): AuditScope {
  const entities = Object.fromEntries(batch.flatMap((o) => (o.audit ? [[o.record.id, o.audit]] : [])));
  return { facts: () => undefined, entities: () => entities };
}

/** The orders and their order.created events, in one statement that names each order's placer. */
export function insertOrders(q: Database | Transaction, batch: readonly NewOrder[]) {
  const insert = q.insert(orderRecords).values(batch.map((o) => o.record));
  const events = addEventJobs(
    batch.flatMap((o) =>
      orderEvents('order.created', o.view, o.requestId).map((e) => ({ ...e, traceparent: o.traceparent })),
    ),
  );
  return q.execute(
    sql`with inserted as (${insert.getSQL()}) select ${events}, ${auditSettingSql(batchAuditScope(batch))}`,
  );
}

/** The batch writer of one database: `submit` resolves once the order has committed. */
export const orderWriter = perKey(
  (db: Database) =>
    new Batcher<NewOrder, void>((batch) => writeBatch(db, batch), {
      name: 'orders',
      maxBatch: 128,
      maxInFlight: 4,
      splitOnError: (err) => pgErrorCode(err) !== undefined,
    }),
);

/** One batch: in one statement, or in a transaction with the idempotency responses. */
async function writeBatch(db: Database, batch: NewOrder[]): Promise<undefined[]> {
  if (batch.every((o) => !o.claim)) {
    // The common case in one statement: the orders and their events commit together.
    await insertOrders(db, batch);
  } else {
    await db.transaction(async (tx) => {
      await insertOrders(tx, batch);
      for (const o of batch) await o.claim?.complete(tx, 201, o.view);
    });
  }
  return batch.map(() => undefined);
}
