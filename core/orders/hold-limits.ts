/**
 * Limits on stock tied up by pending orders (awaiting payment, `reservationExpiresAt`), so one
 * caller cannot starve every other channel: how far ahead it may hold, and how many units its
 * pending orders may hold at once, by role (HoldSettings, core/platform/config.ts).
 *
 * The unit cap counts, per owner (user or API key), the units allocated to its pending orders
 * plus what the new order asks for. It is checked before reserving (a caller over the cap holds
 * nothing, even briefly) and again in the transaction that writes the order, under a lock per
 * owner: two concurrent requests of one owner are serialised there and cannot both pass.
 */
import { sql } from 'drizzle-orm';
import { type OrderAccessFacts, ownsOrder, type Principal } from '../identity/policy.ts';
import type { HoldSettings } from '../platform/config.ts';
import type { Database, Queryable, Transaction } from '../platform/database.ts';
import { ConflictError, ValidationError } from '../platform/problem.ts';

export interface Owner {
  ownerKind: Principal['kind'];
  ownerId: string;
}

/** Units an owner's pending order would hold, checked against the owner's cap. */
export interface PendingLimit {
  owner: Owner;
  adding: number;
  cap: number;
}

/** Partners get the partner limits; anyone with a staff role (admin, manager, clerk) the staff ones. */
export const holdClass = (principal: Principal): 'partner' | 'staff' =>
  principal.roles.some((r) => r !== 'partner') ? 'staff' : 'partner';

export const pendingMaxUnits = (principal: Principal, settings: HoldSettings): number =>
  settings.pendingMaxUnits[holdClass(principal)];

export const pendingMaxHours = (principal: Principal, settings: HoldSettings): number =>
  settings.pendingMaxHours[holdClass(principal)];

/** 422 on reservationExpiresAt when it is further ahead than the caller's role may hold. */
export function assertHorizon(
  principal: Principal,
  settings: HoldSettings,
  expiresAt: Date,
  now = Date.now(),
): void {
  const hours = pendingMaxHours(principal, settings);
  if (expiresAt.getTime() > now + hours * 3_600_000)
    throw new ValidationError([
      { path: 'reservationExpiresAt', message: `At most ${hours} hours ahead for your role.` },
    ]);
}

/** Units allocated and not shipped in the owner's pending orders (but one, when changing it). */
export async function pendingUnitsHeld(q: Queryable, owner: Owner, exceptOrderId?: string): Promise<number> {
  const { rows } = await q.execute<{ units: number }>(sql`
    select coalesce(sum((a->>'qty')::int - (a->>'shipped')::int), 0)::int as units
    from orders.orders o, jsonb_array_elements(o.allocations) a
    where o.owner_kind = ${owner.ownerKind} and o.owner_id = ${owner.ownerId}::uuid
      and o.status = 'pending' and o.id <> ${exceptOrderId ?? '00000000-0000-0000-0000-000000000000'}::uuid`);
  return rows[0]?.units ?? 0;
}

/** 409 `pending-hold-limit` if the owner's other pending orders plus `adding` units pass the cap (no lock). */
export async function precheckPendingCap(q: Queryable, limit: PendingLimit, exceptOrderId?: string) {
  const held = await pendingUnitsHeld(q, limit.owner, exceptOrderId);
  if (held + limit.adding > limit.cap)
    throw new ConflictError(
      `Your pending orders hold ${held} units; ${limit.adding} more would pass your limit of ${limit.cap}. ` +
        'Confirm or cancel pending orders, or order fewer units.',
      'pending-hold-limit',
      { field: 'lines', limit: limit.cap, held, requested: limit.adding },
    );
}

/**
 * The authoritative check, in the transaction that writes the pending order: takes the owner's
 * lock (held to commit), then counts what its committed pending orders hold.
 */
export async function assertWithinPendingCap(tx: Transaction, limit: PendingLimit, exceptOrderId?: string) {
  const key = `orders.pending:${limit.owner.ownerKind}:${limit.owner.ownerId}`;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
  await precheckPendingCap(tx, limit, exceptOrderId);
}

/** Writes a new pending order in a transaction that first passes assertWithinPendingCap. */
export function withinPendingCap(
  db: Database,
  limit: PendingLimit,
  write: (tx: Transaction) => Promise<void>,
) {
  return db.transaction(async (tx) => {
    await assertWithinPendingCap(tx, limit);
    await write(tx);
  });
}

/**
 * The cap that applies when lines change: only when the owner grows its own pending order.
 * Staff changing another's order, and changes that do not grow it, are not capped.
 */
export function pendingGrowth(
  order: OrderAccessFacts & { status: string; allocations: readonly { qty: number; shipped: number }[] },
  lines: readonly { qty: number }[],
  principal: Principal,
  settings: HoldSettings,
): PendingLimit | null {
  const units = lines.reduce((n, l) => n + l.qty, 0);
  const before = order.allocations.reduce((n, a) => n + a.qty - a.shipped, 0);
  if (order.status !== 'pending' || !ownsOrder(principal, order) || units <= before) return null;
  return {
    owner: { ownerKind: principal.kind, ownerId: principal.id },
    adding: units,
    cap: pendingMaxUnits(principal, settings),
  };
}
