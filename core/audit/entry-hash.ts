/**
 * What the chain hashes: an entry's canonical content (JSON with sorted keys, its time in
 * microseconds since the epoch), chained as sha256(previous hash, "\n", content). The chain job
 * and `bun run audit:verify` both use these, over rows read by ENTRY_COLUMNS.
 */
import { createHash } from 'node:crypto';

/** The hash before the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The columns an entry's hash covers, selected the same way by the chain and by its check. */
export const ENTRY_COLUMNS = `e.id::text as id, (extract(epoch from e.at) * 1000000)::bigint::text as at_us,
  e.actor, e.action, e.entity_type, e.entity_id, e.changes, e.request_id, e.warehouse_ids::text[] as warehouse_ids`;

/** JSON with object keys in sorted order at every depth: one text per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** An entry row as ENTRY_COLUMNS selects it, as the text its hash covers. */
export function entryContent(row: Record<string, unknown>): string {
  return canonicalJson({
    id: row.id,
    at: row.at_us,
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    changes: row.changes,
    requestId: row.request_id ?? null,
    warehouseIds: row.warehouse_ids,
  });
}

export function chainHash(prevHash: string, content: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}
