/**
 * Roles and warehouse scopes as the admin screens show and edit them: plain functions over the
 * API's lists, tested with bun:test.
 */
import type { User } from '@varastokkr/client';

/** A role as the API names it (the same type as ApiSession's Role, without its Angular imports). */
type Role = User['roles'][number];

/** Every role, in the order the forms offer them (most rights first). */
export const ROLES: readonly Role[] = ['admin', 'manager', 'clerk', 'partner'];

/** The list with `item` in it (once) when `chosen`, without it otherwise; the order of `all` kept. */
export function withChoice<T>(all: readonly T[], list: readonly T[], item: T, chosen: boolean): T[] {
  const next = new Set(list);
  if (chosen) next.add(item);
  else next.delete(item);
  return all.filter((x) => next.has(x));
}

/**
 * Where someone with these roles and warehouses may act, in words: admins act everywhere (the
 * policy ignores their scope), anyone else only in the warehouses listed, by code.
 */
export function scopeLabel(
  roles: readonly string[],
  warehouseIds: readonly string[],
  warehouses: readonly { id: string; code: string }[],
): string {
  if (roles.includes('admin')) return 'All warehouses';
  if (warehouseIds.length === 0) return 'No warehouse';
  const codes = new Map(warehouses.map((w) => [w.id, w.code]));
  return warehouseIds.map((id) => codes.get(id) ?? 'another warehouse').join(', ');
}

/** A timestamp for a table cell ("never" when there is none), in the reader's own locale and zone. */
export function whenLabel(at: string | null | undefined, never = 'Never'): string {
  if (!at) return never;
  const date = new Date(at);
  return Number.isNaN(date.getTime())
    ? at
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
