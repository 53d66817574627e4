/**
 * Webhook subscriptions: made, read, changed and deleted by admins (every one) and partners
 * (their own: another's is 404, as if it did not exist). The secret is shown once, at creation
 * and at rotation; a rotation keeps the previous secret signing for a grace period.
 */
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Principal } from '../identity/policy.ts';
import type { AuthSettings } from '../identity/settings.ts';
import type { Database, Queryable } from '../platform/database.ts';
import { returnedRow } from '../platform/invariant.ts';
import { newestFirst } from '../platform/newest-first.ts';
import { NotFoundError } from '../platform/problem.ts';
import type { CreateSubscription, SubscriptionView, UpdateSubscription } from './schemas.ts';
import { subscriptions } from './tables.ts';
import { newWebhookSecret, sealWebhookSecret } from './webhook-secrets.ts';

type KeyEncryption = AuthSettings['signingKeyEncryption'];
export type SubscriptionRow = typeof subscriptions.$inferSelect;

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const subscriptionView = (r: SubscriptionRow): SubscriptionView => ({
  id: r.id,
  url: r.url,
  events: r.events,
  description: r.description,
  enabled: r.enabled,
  disabledReason: r.disabledReason,
  failingSince: iso(r.failingSince),
  secretRotatedAt: iso(r.secretRotatedAt),
  ownerKind: r.ownerKind,
  ownerId: r.ownerId,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** The subscriptions this principal manages: every one for admins, else its own. */
function managedBy(principal: Principal): SQL | undefined {
  if (principal.roles.includes('admin')) return undefined;
  return and(eq(subscriptions.ownerKind, principal.kind), eq(subscriptions.ownerId, principal.id));
}

/** The subscription if this principal manages it, else 404. */
export async function managedSubscription(
  q: Queryable,
  principal: Principal,
  id: string,
): Promise<SubscriptionRow> {
  const [row] = await q
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.id, id), managedBy(principal)));
  if (!row) throw new NotFoundError('No such webhook subscription.');
  return row;
}

export async function createSubscription(
  db: Database,
  principal: Principal,
  input: CreateSubscription,
  keyEncryption: KeyEncryption,
): Promise<SubscriptionView & { secret: string }> {
  const id = crypto.randomUUID();
  const secret = newWebhookSecret();
  const rows = await db
    .insert(subscriptions)
    .values({
      id,
      url: input.url,
      events: input.events,
      description: input.description ?? null,
      ownerKind: principal.kind,
      ownerId: principal.id,
      secretSealed: await sealWebhookSecret(keyEncryption, id, secret),
    })
    .returning();
  return { ...subscriptionView(returnedRow(rows)), secret };
}

export async function listSubscriptions(
  db: Database,
  principal: Principal,
  page: { limit: number; cursor?: string | undefined },
) {
  const order = newestFirst(subscriptions.createdAt, subscriptions.id, page.cursor);
  const rows = await db
    .select()
    .from(subscriptions)
    .where(and(managedBy(principal), order.where))
    .orderBy(...order.orderBy)
    .limit(page.limit + 1);
  const { items, nextCursor } = order.page(rows, page.limit);
  return { items: items.map(subscriptionView), nextCursor };
}

export async function getSubscription(db: Database, principal: Principal, id: string) {
  return subscriptionView(await managedSubscription(db, principal, id));
}

/** Changes the fields sent; enabling again forgets the failures that disabled it. */
export async function updateSubscription(
  db: Database,
  principal: Principal,
  id: string,
  patch: UpdateSubscription,
): Promise<SubscriptionView> {
  await managedSubscription(db, principal, id);
  const reenable = patch.enabled === true ? { disabledReason: null, failingSince: null } : {};
  // A new URL, or turning it on again, is tried at once rather than after a pause for the old one.
  const unpause = patch.enabled === true || patch.url !== undefined ? { pausedUntil: null } : {};
  const [row] = await db
    .update(subscriptions)
    .set({ ...patch, ...reenable, ...unpause, updatedAt: new Date() })
    .where(eq(subscriptions.id, id))
    .returning();
  if (!row) throw new NotFoundError('No such webhook subscription.');
  return subscriptionView(row);
}

/** Deletes it with its deliveries (their waiting jobs find nothing to send). */
export async function deleteSubscription(db: Database, principal: Principal, id: string): Promise<void> {
  await managedSubscription(db, principal, id);
  await db.delete(subscriptions).where(eq(subscriptions.id, id));
}

/** A new secret; the current one becomes the previous, still signing for the grace period. */
export async function rotateSecret(
  db: Database,
  principal: Principal,
  id: string,
  keyEncryption: KeyEncryption,
): Promise<{ secret: string; rotatedAt: string }> {
  await managedSubscription(db, principal, id);
  const secret = newWebhookSecret();
  const sealed = await sealWebhookSecret(keyEncryption, id, secret);
  const [row] = await db
    .update(subscriptions)
    .set({
      previousSecretSealed: sql`${subscriptions.secretSealed}`,
      secretSealed: sealed,
      secretRotatedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(eq(subscriptions.id, id))
    .returning();
  if (!row?.secretRotatedAt) throw new NotFoundError('No such webhook subscription.');
  return { secret, rotatedAt: row.secretRotatedAt.toISOString() };
}
