/**
 * The order rules as plain functions: mayTouchOrder and orderReadScope (core/identity/policy.ts),
 * the price-override check, and the hold limits by role.
 */
import { describe, expect, test } from 'bun:test';
import {
  mayAttempt,
  mayTouchOrder,
  type OrderAccessFacts,
  type OrderAction,
  orderReadScope,
  type Principal,
} from '../identity/policy.ts';
import type { Role } from '../identity/tables.ts';
import type { HoldSettings } from '../platform/config.ts';
import { ForbiddenError, ValidationError } from '../platform/problem.ts';
import { assertHorizon, holdClass, pendingGrowth, pendingMaxHours, pendingMaxUnits } from './hold-limits.ts';
import { assertMayPrice } from './order-access.ts';

const [W1, W2, W3] = ['w1', 'w2', 'w3'];
const who = (
  roles: Role[],
  scope: string[] = [W1],
  kind: Principal['kind'] = 'api_key',
  id = 'me',
): Principal => ({
  kind,
  id,
  name: 'test',
  email: null,
  roles,
  warehouseIds: scope,
});
const order = (
  warehouseIds: string[],
  owner: [Principal['kind'], string] | null = null,
): OrderAccessFacts => ({
  ownerKind: owner?.[0] ?? null,
  ownerId: owner?.[1] ?? null,
  warehouseIds,
});
const actions: OrderAction[] = ['orders:read', 'orders:update', 'orders:fulfil'];
const allowed = (p: Principal, o: OrderAccessFacts) => actions.filter((a) => mayTouchOrder(p, a, o));

describe('mayTouchOrder', () => {
  test('admins touch every order, owned or not, in any warehouse', () => {
    expect(allowed(who(['admin'], []), order([W2], ['user', 'x']))).toEqual(actions);
    expect(allowed(who(['admin'], []), order([]))).toEqual(actions);
  });

  test('a partner touches its own orders only, never fulfils, and its warehouse scope does not widen that', () => {
    const partner = who(['partner']);
    expect(allowed(partner, order([W1], ['api_key', 'me']))).toEqual(['orders:read', 'orders:update']);
    expect(allowed(partner, order([W2], ['api_key', 'me']))).toEqual(['orders:read', 'orders:update']);
    expect(allowed(partner, order([], ['api_key', 'me']))).toEqual(['orders:read', 'orders:update']);
    expect(allowed(partner, order([W1], ['api_key', 'other']))).toEqual([]);
    // The same id under the other kind is someone else.
    expect(allowed(partner, order([W1], ['user', 'me']))).toEqual([]);
    // Orders from before owners were kept are staff's.
    expect(allowed(partner, order([W1]))).toEqual([]);
  });

  test('clerks and managers work by warehouse: read with one in scope, change and fulfil with all', () => {
    for (const role of ['clerk', 'manager'] as const) {
      const staff = who([role], [W1, W2]);
      expect(allowed(staff, order([W1], ['api_key', 'partner']))).toEqual(actions);
      expect(allowed(staff, order([W1, W2]))).toEqual(actions);
      expect(allowed(staff, order([W1, W3]))).toEqual(['orders:read']);
      expect(allowed(staff, order([W3]))).toEqual([]);
      // Their own order outside their scope they may still read; one in no warehouse, change.
      expect(allowed(staff, order([W3], ['api_key', 'me']))).toEqual(['orders:read']);
      expect(allowed(staff, order([], ['api_key', 'me']))).toEqual(['orders:read', 'orders:update']);
      expect(allowed(staff, order([]))).toEqual([]);
    }
  });

  test('several roles: each grants its own way in', () => {
    const both = who(['partner', 'clerk'], [W1]);
    expect(allowed(both, order([W1], ['api_key', 'other']))).toEqual(actions);
    expect(allowed(both, order([W2], ['api_key', 'me']))).toEqual(['orders:read', 'orders:update']);
    expect(allowed(both, order([W2], ['api_key', 'other']))).toEqual([]);
  });
});

describe('orderReadScope', () => {
  test('admins: all; staff: their warehouses and their own; partners: their own only', () => {
    expect(orderReadScope(who(['admin'], []))).toBe('all');
    expect(orderReadScope(who(['clerk'], [W1]))).toEqual({
      warehouseIds: [W1],
      owner: { kind: 'api_key', id: 'me' },
    });
    expect(orderReadScope(who(['partner'], [W1], 'user', 'u1'))).toEqual({
      warehouseIds: [],
      owner: { kind: 'user', id: 'u1' },
    });
  });

  test("agrees with mayTouchOrder('orders:read') for every principal and order", () => {
    const principals = [
      who(['admin'], []),
      who(['manager'], [W1]),
      who(['clerk'], [W1, W2]),
      who(['partner'], [W1]),
      who(['partner'], [W1], 'user'),
      who(['partner', 'clerk'], [W2]),
    ];
    const orders = [
      order([]),
      order([W1]),
      order([W2, W3]),
      order([W3], ['api_key', 'me']),
      order([W1], ['user', 'me']),
      order([], ['api_key', 'me']),
      order([W1], ['api_key', 'other']),
    ];
    for (const p of principals)
      for (const o of orders) {
        const scope = orderReadScope(p);
        const listed =
          scope === 'all' ||
          o.warehouseIds.some((w) => scope.warehouseIds.includes(w)) ||
          (o.ownerKind === scope.owner.kind && o.ownerId === scope.owner.id);
        expect(listed, `${p.roles} ${p.kind} ${JSON.stringify(o)}`).toBe(mayTouchOrder(p, 'orders:read', o));
      }
  });
});

describe('price override', () => {
  const eur = (amount: number) => ({ amount, currency: 'EUR' });
  test('only admins and managers may', () => {
    expect(
      (['admin', 'manager', 'clerk', 'partner'] as const).filter((r) =>
        mayAttempt(who([r]), 'orders:price-override'),
      ),
    ).toEqual(['admin', 'manager']);
  });

  test('403 names each line whose price is not an acceptable one; omitted, catalog or kept prices pass', () => {
    const lines = [
      { unitPrice: undefined, acceptable: [eur(100)] },
      { unitPrice: eur(100), acceptable: [eur(100)] },
      { unitPrice: eur(90), acceptable: [eur(100), eur(90)] },
      { unitPrice: eur(0), acceptable: [eur(100)] },
      { unitPrice: { amount: 100, currency: 'USD' }, acceptable: [eur(100)] },
      { unitPrice: eur(5), acceptable: [null] },
    ];
    for (const role of ['partner', 'clerk'] as const) {
      let thrown: unknown;
      try {
        assertMayPrice(who([role]), lines);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ForbiddenError);
      const problem = (thrown as ForbiddenError).toProblem();
      expect(problem.status).toBe(403);
      expect((problem.errors as { path: string }[]).map((e) => e.path)).toEqual([
        'lines.3.unitPrice',
        'lines.4.unitPrice',
        'lines.5.unitPrice',
      ]);
      expect(() => assertMayPrice(who([role]), lines.slice(0, 3))).not.toThrow();
    }
    expect(() => assertMayPrice(who(['manager']), lines)).not.toThrow();
  });
});

describe('hold limits by role', () => {
  const settings: HoldSettings = {
    pendingMaxUnits: { partner: 10, staff: 500 },
    pendingMaxHours: { partner: 24, staff: 720 },
    transferExpiryHours: 168,
  };

  test('partners get the partner limits; any staff role the staff ones', () => {
    expect(holdClass(who(['partner']))).toBe('partner');
    expect(holdClass(who(['partner', 'clerk']))).toBe('staff');
    expect(pendingMaxUnits(who(['partner']), settings)).toBe(10);
    expect(pendingMaxUnits(who(['manager']), settings)).toBe(500);
    expect(pendingMaxHours(who(['partner']), settings)).toBe(24);
    expect(pendingMaxHours(who(['admin'], []), settings)).toBe(720);
  });

  test("the horizon is a 422 on reservationExpiresAt past the role's hours", () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    const at = (hours: number) => new Date(now + hours * 3_600_000);
    expect(() => assertHorizon(who(['partner']), settings, at(24), now)).not.toThrow();
    let thrown: unknown;
    try {
      assertHorizon(who(['partner']), settings, at(25), now);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).errors.map((e) => e.path)).toEqual(['reservationExpiresAt']);
    expect(() => assertHorizon(who(['clerk']), settings, at(25), now)).not.toThrow();
  });

  test('growing counts only when the owner grows its own pending order', () => {
    const mine = {
      ...order([W1], ['api_key', 'me']),
      status: 'pending',
      allocations: [{ qty: 4, shipped: 0 }],
    };
    const partner = who(['partner']);
    expect(pendingGrowth(mine, [{ qty: 6 }], partner, settings)).toEqual({
      owner: { ownerKind: 'api_key', ownerId: 'me' },
      adding: 6,
      cap: 10,
    });
    expect(pendingGrowth(mine, [{ qty: 3 }], partner, settings)).toBeNull();
    expect(pendingGrowth({ ...mine, status: 'confirmed' }, [{ qty: 6 }], partner, settings)).toBeNull();
    expect(pendingGrowth(mine, [{ qty: 6 }], who(['manager'], [W1], 'user', 'boss'), settings)).toBeNull();
  });
});
