/**
 * The warehouse room's data as the worker, the jobs runner and clients see it. No Workers
 * imports here, so Bun code (tests, jobs) can share these types.
 */

/** One stock level as the room holds it, with the ledger version it reflects. */
export interface RoomLevel {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  version: number;
}

export interface RoomSnapshot {
  warehouseId: string;
  version: number;
  levels: RoomLevel[];
}

/**
 * A level as pushed to the room: available is derived, never trusted from the sender.
 * `fromVersion` is the version the change started from, so the room can tell that an earlier
 * push is still on its way.
 */
export type LevelUpdate = Omit<RoomLevel, 'available'> & { fromVersion?: number | undefined };

/** What the room sends: one shape, parsed by clients (the dashboard, tests) with this schema. */
export type RoomMessage =
  | ({ type: 'snapshot' } & RoomSnapshot)
  | ({ type: 'stock'; warehouseId: string; seq: number } & RoomLevel)
  | RoomEvent
  | { type: 'auth'; expiresAt: string }
  | { type: 'error'; message: string };

/** An order or transfer event of this warehouse, as the domain event carried it. */
export interface RoomEvent {
  type: 'event';
  event: string;
  id: string;
  occurredAt: string;
  warehouseId: string;
  data: Record<string, unknown>;
}

/**
 * What a client may send. `since` is the last `version` (snapshot) or `seq` (stock) it saw;
 * `auth` carries a fresh access token of the same session before the socket's one expires.
 */
export type ClientMessage = { type: 'resume'; since: number } | { type: 'auth'; token: string };

/** Parses a client's message; undefined when it is not one we know. */
export function parseClientMessage(raw: string): ClientMessage | undefined {
  try {
    const value = JSON.parse(raw) as { type?: unknown; since?: unknown; token?: unknown };
    if (value?.type === 'resume' && Number.isSafeInteger(value.since) && (value.since as number) >= 0)
      return { type: 'resume', since: value.since as number };
    if (value?.type === 'auth' && typeof value.token === 'string' && value.token.length > 0)
      return { type: 'auth', token: value.token };
  } catch {}
  return undefined;
}

/** Close codes a room uses: the credential is gone or expired; the right to the room was lost; abuse. */
export const closeCodes = { credentialGone: 4401, rightLost: 4403, policyViolation: 1008 } as const;
