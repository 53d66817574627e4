/**
 * The messages of a live warehouse room (GET /ws/warehouses/:id), as the server's contract
 * (core/platform/room-contract.ts) defines them; the package's test checks these types equal it.
 */

/** One stock level, with the ledger version it reflects. */
export interface RoomLevel {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  version: number;
}

/**
 * Every level of the warehouse, or of the skus the socket watches; `version` is the room's change
 * sequence, what a client resumes from.
 */
export interface RoomSnapshotMessage {
  type: 'snapshot';
  warehouseId: string;
  version: number;
  levels: RoomLevel[];
}

/** A committed change of one level; `seq` is its place in the room's change sequence. */
export interface RoomStockMessage extends RoomLevel {
  type: 'stock';
  warehouseId: string;
  seq: number;
}

/** An order or transfer event of this warehouse (`order.created`, `transfer.updated`...). */
export interface RoomEventMessage {
  type: 'event';
  event: string;
  id: string;
  occurredAt: string;
  warehouseId: string;
  data: Record<string, unknown>;
}

/** The answer to a fresh token: the socket now lives until `expiresAt` (ISO time). */
export interface RoomAuthMessage {
  type: 'auth';
  expiresAt: string;
}

/** A message the room could not act on (a token refused, an unknown message). */
export interface RoomErrorMessage {
  type: 'error';
  message: string;
}

export interface RoomPongMessage {
  type: 'pong';
}

export type RoomMessage =
  | RoomSnapshotMessage
  | RoomStockMessage
  | RoomEventMessage
  | RoomAuthMessage
  | RoomErrorMessage
  | RoomPongMessage;

/**
 * What a client sends: resume from the last version or seq seen; a fresh access token; the skus
 * to watch from now on (at most MAX_WATCHED_SKUS; null for every sku), answered with their snapshot.
 */
export type RoomClientMessage =
  | { type: 'resume'; since: number }
  | { type: 'auth'; token: string }
  | { type: 'watch'; skus: string[] | null };

/** The most skus one socket may watch (the server's contract says the same; a test checks). */
export const MAX_WATCHED_SKUS = 20;

/** The close codes a room uses. */
export const roomCloseCodes = {
  /** The credential is gone or expired (signed out, disabled, revoked, token expired). */
  credentialGone: 4401,
  /** The caller lost the right to this warehouse. */
  rightLost: 4403,
  /** Too many or too large messages. */
  policyViolation: 1008,
} as const;
