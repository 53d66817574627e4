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
  /** Setting a line's unitPrice other than the catalog's (0 included): a commercial decision. */
  'orders:price-override': { roles: ['admin', 'manager'], scoped: false },
  /** Vendors and their terms: buyers keep them; clerks read them to receive against a PO. */
  'vendors:read': { roles: ['admin', 'manager', 'clerk'], scoped: false },
  'vendors:write': { roles: ['admin', 'manager'], scoped: false },
  /** Purchase orders: managers and admins buy (create, change, submit, cancel, close)... */
  'purchase-orders:read': { roles: ['admin', 'manager', 'clerk'], scoped: true },
  'purchase-orders:write': { roles: ['admin', 'manager'], scoped: true },
  /** ...clerks receive them in their warehouses. Partners have no part in buying. */
  'purchase-orders:receive': { roles: ['admin', 'manager', 'clerk'], scoped: true },
  /** Drafting purchase orders from shortfalls, and reorder points from demand. */
  'replenishment:run': { roles: ['admin', 'manager'], scoped: true },
  'replenishment:plan': { roles: ['admin', 'manager'], scoped: true },
  /** The job queue: what failed and why, and retrying it. */
  'jobs:manage': { roles: ['admin'], scoped: false },
  /**
   * Webhook subscriptions: admins manage every one, partners their own (core/webhooks); what a
   * subscription receives is what its owner may read.
   */
  'webhooks:manage': { roles: ['admin', 'partner'], scoped: false },
  /** Shops whose orders come in (their secrets) and the orders received from them. */
  'integrations:manage': { roles: ['admin'], scoped: false },
  /** The audit log: admins read all of it, managers the entries about their warehouses (core/audit). */
  'audit:read': { roles: ['admin', 'manager'], scoped: false },
  /**
   * KPIs (revenue, cost of goods, stock value): admins, and managers for their warehouses.
   * Clerks and partners no: costs and margins are not theirs to read (as catalog:cost).
   */
  'analytics:read': { roles: ['admin', 'manager'], scoped: true },
} as const satisfies Record<string, { roles: readonly Role[]; scoped: boolean }>;

export type Action = keyof typeof policy;

const hasRole = (principal: Principal, action: Action) =>
  principal.roles.some((r) => (policy[action].roles as readonly Role[]).includes(r));

/** Whether the principal may do this action at all (before looking at a warehouse). */
export function mayAttempt(principal: Principal, action: Action): boolean {
  return hasRole(principal, action);
}

/** Every action the principal may attempt somewhere, in the policy's order (what a client may offer). */
export function attemptableActions(principal: Principal): Action[] {
  return (Object.keys(policy) as Action[]).filter((action) => hasRole(principal, action));
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

/** An order as the ownership rule sees it: who placed it and the warehouses it touches. */
export interface OrderAccessFacts {
  /** The user or API key that placed it; null for orders placed before owners were kept. */
  ownerKind: Principal['kind'] | null;
  ownerId: string | null;
  warehouseIds: readonly string[];
}

export type OrderAction = 'orders:read' | 'orders:update' | 'orders:fulfil';

export const ownsOrder = (principal: Principal, order: OrderAccessFacts): boolean =>
  order.ownerKind === principal.kind && order.ownerId === principal.id;

/** Whether one of the principal's roles is a warehouse-staff role that may do this action. */
export const actsAsStaff = (principal: Principal, action: OrderAction): boolean =>
  principal.roles.some((r) => r !== 'partner' && (policy[action].roles as readonly Role[]).includes(r));

/**
 * Whether the principal may do this to this order. Each role the principal holds grants its
 * own way in; any one suffices:
 * - admin: every order;
 * - manager and clerk: warehouse scope. Reading needs one of the order's warehouses in scope;
 *   changing or fulfilling needs every warehouse it touches (a clerk of one warehouse cannot
 *   cancel an order split across two), and an order in no warehouse yet only its owner. Staff
 *   also read the orders they placed themselves. Managers get no more than clerks here: what
 *   sets them apart (prices, reorder points) are other actions;
 * - partner: only the orders it owns (placed by the same user, or the same API key), never
 *   fulfilment. A warehouse in its scope gives no access to orders in it: two partners selling
 *   from one warehouse are two customers, not colleagues.
 */
export function mayTouchOrder(principal: Principal, action: OrderAction, order: OrderAccessFacts): boolean {
  const roles = principal.roles.filter((r) => (policy[action].roles as readonly Role[]).includes(r));
  if (roles.includes('admin')) return true;
  const own = ownsOrder(principal, order);
  if (roles.includes('partner') && own) return true;
  if (!roles.includes('manager') && !roles.includes('clerk')) return false;
  const inScope = order.warehouseIds.filter((w) => principal.warehouseIds.includes(w));
  if (action === 'orders:read') return own || inScope.length > 0;
  if (order.warehouseIds.length === 0) return own && action !== 'orders:fulfil';
  return inScope.length === order.warehouseIds.length;
}

/**
 * mayTouchOrder('orders:read') as a list filter: every order, or those in these warehouses plus
 * the principal's own. Lists apply it in SQL; the unit tests hold the two to the same answers.
 */
export function orderReadScope(
  principal: Principal,
): 'all' | { warehouseIds: string[]; owner: { kind: Principal['kind']; id: string } } {
  if (principal.roles.includes('admin')) return 'all';
  return {
    warehouseIds: actsAsStaff(principal, 'orders:read') ? principal.warehouseIds : [],
    owner: { kind: principal.kind, id: principal.id },
  };
}
