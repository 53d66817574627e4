/**
 * The audit trail's entries as a person reads them: who (a name, else what kind of caller),
 * and each changed field as "before → after", with bookkeeping fields left out.
 */
import type { components } from '@varastokkr/client';

export type AuditEntry = components['schemas']['AuditEntry'];

export interface ChangeLine {
  field: string;
  before: string;
  after: string;
}

const MAX_VALUE = 60;

/** Who made the change, in words. */
export function actorLabel(actor: AuditEntry['actor']): string {
  if (actor.kind === 'system') return 'System (background job)';
  if (actor.kind === 'anonymous') return 'Signed-out caller';
  const kind = actor.kind === 'api_key' ? 'API key' : 'User';
  return actor.name ? `${actor.name} (${kind})` : `${kind} ${actor.id?.slice(0, 8) ?? ''}`.trim();
}

/** One field's value, short: "—" for none, JSON for structures, cut at MAX_VALUE characters. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** "priceAmount" as "price amount". */
const fieldLabel = (field: string) => field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** The changed fields, in a stable order (by name). */
export function changeLines(changes: AuditEntry['changes']): ChangeLine[] {
  return Object.keys(changes)
    .sort()
    .map((field) => ({
      field: fieldLabel(field),
      before: valueText(changes[field]?.before),
      after: valueText(changes[field]?.after),
    }));
}

/** "2026-01-15T09:30:00.000Z" as "2026-01-15 09:30:00" (UTC, as the rest of the dashboard). */
export const whenText = (at: string) => at.slice(0, 19).replace('T', ' ');
