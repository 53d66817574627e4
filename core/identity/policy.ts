import { ForbiddenError } from '../platform/problem.ts';
import type { Role } from './tables.ts';

/** Who is calling: a signed-in user or a partner's API key, with roles and warehouse scopes. */
export interface Principal {
  kind: 'user' | 'api_key';
  id: string;
  name: string;
  email: string | null;
  roles: Role[];
  warehouseIds: string[];
}

/**
 * Every action a route can declare, who may do it, and whether it is scoped to warehouses.
 * Scoped actions: admins act everywhere, everyone else only in the warehouses in their scope.
 * Later issues add their actions here; the access-matrix tests check each one.
 */
export const policy = {
  'profile:read': { roles: ['admin', 'manager', 'clerk', 'partner'], scoped: false },
  'profile:update': { roles: ['admin', 'manager', 'clerk', 'partner'], scoped: false },
  'users:manage': { roles: ['admin'], scoped: false },
  'api-keys:manage': { roles: ['admin'], scoped: false },
  'warehouses:create': { roles: ['admin'], scoped: false },
  'warehouses:read': { roles: ['admin', 'manager', 'clerk', 'partner'], scoped: true },
  'catalog:read': { roles: ['admin', 'manager', 'clerk', 'partner'], scoped: false },
  'catalog:write': { roles: ['admin', 'manager'], scoped: false },
  /** Export and cost prices: what a product costs us is not for clerks or partners. */
  'catalog:cost': { roles: ['admin', 'manager'], scoped: false },
  'availability:read': { roles: ['admin', 'manager', 'clerk', 'partner'], scoped: true },
  /** Stock levels and the ledger: warehouse staff, not partners (they see availability). */
  'stock:read': { roles: ['admin', 'manager', 'clerk'], scoped: true },
  'stock:adjust': { roles: ['admin', 'manager', 'clerk'], scoped: true },
  'stock:reorder': { roles: ['admin', 'manager'], scoped: true },
  'transfers:read': { roles: ['admin', 'manager', 'clerk'], scoped: true },
  'transfers:write': { roles: ['admin', 'manager', 'clerk'], scoped: true },
  /** Partners (storefronts, marketplaces) place, read, change and cancel orders... */
  'orders:create': { roles: ['admin', 'manager', 'clerk', 'partner'], scoped: true },
  'orders:read': { roles: ['admin', 'manager', 'clerk', 'partner'], scoped: true },
  'orders:update': { roles: ['admin', 'manager', 'clerk', 'partner'], scoped: true },
  /** ...warehouse staff ship and deliver them. */
  'orders:fulfil': { roles: ['admin', 'manager', 'clerk'], scoped: true },
  /** The job queue: what failed and why, and retrying it. */
  'jobs:manage': { roles: ['admin'], scoped: false },
} as const satisfies Record<string, { roles: readonly Role[]; scoped: boolean }>;

export type Action = keyof typeof policy;

const hasRole = (principal: Principal, action: Action) =>
  principal.roles.some((r) => (policy[action].roles as readonly Role[]).includes(r));

/** Whether the principal may do this action at all (before looking at a warehouse). */
export function mayAttempt(principal: Principal, action: Action): boolean {
  return hasRole(principal, action);
}

/** Whether the principal may do this action in this warehouse. */
export function may(principal: Principal, action: Action, warehouseId: string): boolean {
  if (!hasRole(principal, action)) return false;
  if (!policy[action].scoped || principal.roles.includes('admin')) return true;
  return principal.warehouseIds.includes(warehouseId);
}

/** 403 unless the principal may act in this warehouse. */
export function assertMay(principal: Principal, action: Action, warehouseId: string): void {
  if (!may(principal, action, warehouseId)) {
    throw new ForbiddenError('This warehouse is outside your scope.');
  }
}

/** The warehouses whose data a list may show: every one for admins, the scope for others. */
export function warehouseScope(principal: Principal): 'all' | string[] {
  return principal.roles.includes('admin') ? 'all' : principal.warehouseIds;
}
