/**
 * Who may hold a live warehouse socket, and which messages reach it, asked of the same policy
 * as REST (core/identity/policy.ts). Each socket keeps, in its hibernation attachment, who it
 * belongs to and what kinds of events it may read in this warehouse. Plain functions with no
 * Workers imports: Bun tests use them directly.
 */
import { actsAsStaff, may, type Principal } from '../core/identity/policy.ts';
import type { Role } from '../core/identity/tables.ts';
import type { RoomAccessChange } from './room-types.ts';

/** Whose socket it is: a user's sign-in session, or an API key. */
export interface SocketOwner {
  kind: 'user' | 'api_key';
  id: string;
  /** The sign-in session (refresh-token family) of a user's token; null for a key. */
  sid: string | null;
}

/**
 * What a socket may receive besides stock levels: every order of the warehouse (staff, by the
 * same rule as REST: actsAsStaff in core/identity/policy.ts), only its own (partners), or none.
 */
export interface RoomRights {
  orders: 'all' | 'own' | 'none';
  transfers: boolean;
  /** Purchase order events (purchase-orders:read); absent on sockets attached before there were any. */
  purchasing?: boolean;
}

/** What a room keeps per socket (serializeAttachment, so it survives hibernation; under 2 KB). */
export interface SocketAccess {
  owner: SocketOwner;
  rights: RoomRights;
  /** When the socket's access token expires (ms); null for an API key, which does not. */
  expiresAt: number | null;
  /** When that token was issued (ms, whole seconds); null for an API key. */
  issuedAt: number | null;
}

/** The rights of a principal in this warehouse's room; null when it may not read its stock. */
export function roomRights(principal: Principal, warehouseId: string): RoomRights | null {
  if (!may(principal, 'stock:read', warehouseId)) return null;
  const readsOrders = may(principal, 'orders:read', warehouseId);
  return {
    orders: !readsOrders ? 'none' : actsAsStaff(principal, 'orders:read') ? 'all' : 'own',
    transfers: may(principal, 'transfers:read', warehouseId),
    purchasing: may(principal, 'purchase-orders:read', warehouseId),
  };
}

/** The owner an order event names, if it names one (`ownerKind`/`ownerId`, or `owner: {kind, id}`). */
function eventOwner(data: Record<string, unknown>): { kind: unknown; id: unknown } | undefined {
  if (data.ownerId !== undefined) return { kind: data.ownerKind, id: data.ownerId };
  const owner = data.owner as { kind?: unknown; id?: unknown } | null | undefined;
  if (owner && typeof owner === 'object') return { kind: owner.kind, id: owner.id };
  return undefined;
}

/**
 * Whether an event message may reach this socket: order events need orders:read (and, for a
 * socket that sees only its own orders, an owner field naming it: an event without one reaches
 * no such socket), transfer events transfers:read, purchase order events purchase-orders:read;
 * any other kind reaches nobody.
 */
export function mayReceive(access: SocketAccess, event: { event: string; data: Record<string, unknown> }) {
  if (event.event.startsWith('order.')) {
    if (access.rights.orders === 'all') return true;
    if (access.rights.orders === 'none') return false;
    const owner = eventOwner(event.data);
    return owner?.kind === access.owner.kind && owner.id === access.owner.id;
  }
  if (event.event.startsWith('transfer.')) return access.rights.transfers;
  if (event.event.startsWith('purchase_order.')) return access.rights.purchasing === true;
  return false;
}

/** What an access change does to one socket: nothing, close it (with a code), or new rights. */
export type AccessVerdict =
  | { action: 'keep' }
  | { action: 'close'; code: 4401 | 4403; reason: string }
  | { action: 'rescope'; rights: RoomRights };

const closeReasons = {
  disabled: 'The account was disabled.',
  signed_out: 'Signed out.',
  session_ended: 'The session has ended.',
  key_revoked: 'The API key was revoked.',
} as const;

/** How an access change from identity applies to a socket of this warehouse. */
export function accessVerdict(
  access: SocketAccess,
  change: RoomAccessChange,
  warehouseId: string,
): AccessVerdict {
  const { owner } = access;
  if (change.kind === 'ended') {
    const matches =
      (owner.kind === 'user' && change.userId !== undefined && owner.id === change.userId) ||
      (owner.kind === 'user' && change.sessionId !== undefined && owner.sid === change.sessionId) ||
      (owner.kind === 'api_key' && change.apiKeyIds.includes(owner.id));
    return matches
      ? { action: 'close', code: 4401, reason: closeReasons[change.reason] }
      : { action: 'keep' };
  }
  if (owner.kind !== 'user' || owner.id !== change.userId) return { action: 'keep' };
  const rights = roomRights(
    { ...principalStub(owner), roles: change.roles as Role[], warehouseIds: change.warehouseIds },
    warehouseId,
  );
  return rights
    ? { action: 'rescope', rights }
    : { action: 'close', code: 4403, reason: 'Your access to this warehouse changed.' };
}

/** An access change as a room received it (ms). */
export interface ReceivedChange {
  at: number;
  change: RoomAccessChange;
}

/**
 * Whether a socket about to be accepted is already overtaken by a change the room received
 * after core checked its caller (the check and the change raced): a session ended or a key
 * revoked refuses it; a user ended by id (disabled, new password) refuses only a token issued
 * before the change (not one from signing in again); the user's latest re-scope refuses it if
 * it took the room away. Never widens what core allowed.
 */
export function verdictOnArrival(
  access: SocketAccess,
  received: ReceivedChange[],
  warehouseId: string,
): AccessVerdict {
  let latestRescope: RoomAccessChange | undefined;
  for (const { at, change } of received) {
    if (change.kind === 'rescoped') {
      if (access.owner.kind === 'user' && change.userId === access.owner.id) latestRescope = change;
      continue;
    }
    const verdict = accessVerdict(access, change, warehouseId);
    if (verdict.action !== 'close') continue;
    const bySessionOrKey =
      (change.sessionId !== undefined && change.sessionId === access.owner.sid) ||
      (access.owner.kind === 'api_key' && change.apiKeyIds.includes(access.owner.id));
    // iat has whole seconds: a token of the change's own second counts as issued after it.
    const issuedBefore = access.issuedAt !== null && access.issuedAt + 1000 <= at;
    if (bySessionOrKey || issuedBefore) return verdict;
  }
  if (latestRescope) {
    const verdict = accessVerdict(access, latestRescope, warehouseId);
    if (verdict.action === 'close') return verdict;
  }
  return { action: 'keep' };
}

const principalStub = (owner: SocketOwner): Principal => ({
  kind: owner.kind,
  id: owner.id,
  name: '',
  email: null,
  roles: [],
  warehouseIds: [],
});
