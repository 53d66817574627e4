/** What the webhooks benchmark's receivers got, checked against the events committed. */

/** One request a receiver got. */
export interface Receipt {
  /** The webhook-id header: stable per event and subscription, the receiver's dedupe key. */
  webhookId: string;
  /** The event it carries, as `sku:version` (a level's version after its change). */
  key: string;
  /** Wall-clock ms when it arrived. */
  at: number;
  /** The event's occurredAt (the committing transaction's time), in ms. */
  occurredAt: number;
  /** Whether the standardwebhooks library accepted its signature under the subscription's secret. */
  verified: boolean;
}

export interface Tally {
  /** Events committed that never arrived. */
  missing: number;
  /** Requests whose webhook-id had arrived before (a resend). */
  duplicates: number;
  /** Events that arrived under more than one webhook-id (two deliveries of one event). */
  split: number;
  /** Requests for events nobody saw committed (no 201 for them). */
  unexpected: number;
  /** Requests whose signature did not verify. */
  unverified: number;
}

export const eventKey = (sku: string, version: number) => `${sku}:${version}`;

/** One receiver's requests against the events it should have had, once each. */
export function tallyReceipts(expected: ReadonlySet<string>, receipts: readonly Receipt[]): Tally {
  const ids = new Set<string>();
  const idsByKey = new Map<string, Set<string>>();
  let duplicates = 0;
  let unexpected = 0;
  let unverified = 0;
  for (const r of receipts) {
    if (!r.verified) unverified++;
    if (ids.has(r.webhookId)) duplicates++;
    ids.add(r.webhookId);
    if (!expected.has(r.key)) unexpected++;
    const forKey = idsByKey.get(r.key) ?? new Set<string>();
    forKey.add(r.webhookId);
    idsByKey.set(r.key, forKey);
  }
  let missing = 0;
  for (const key of expected) if (!idsByKey.has(key)) missing++;
  const split = [...idsByKey.values()].filter((s) => s.size > 1).length;
  return { missing, duplicates, split, unexpected, unverified };
}

/** Several receivers' tallies added up. */
export function sumTallies(tallies: readonly Tally[]): Tally {
  const sum: Tally = { missing: 0, duplicates: 0, split: 0, unexpected: 0, unverified: 0 };
  for (const t of tallies) for (const k of Object.keys(sum) as (keyof Tally)[]) sum[k] += t[k];
  return sum;
}
