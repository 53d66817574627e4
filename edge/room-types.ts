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

/** A level as pushed to the room: available is derived, never trusted from the sender. */
export type LevelUpdate = Omit<RoomLevel, 'available'>;
