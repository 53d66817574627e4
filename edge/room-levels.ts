/**
 * A warehouse room's stock levels in its SQLite storage: each level with the ledger version it
 * reflects, the room's change log (the sequence clients resume from), and the changes held
 * because they arrived before an earlier change of their level. Plain storage work, synchronous
 * like all SQLite calls in a Durable Object; what to apply, when and whom to tell stays in the
 * room (warehouse-stock-room.ts).
 */
import type { LevelUpdate, RoomLevel } from './room-types.ts';

type LevelRow = { sku: string; on_hand: number; reserved: number; version: number };

const toLevel = (r: LevelRow): RoomLevel => ({
  sku: r.sku,
  onHand: r.on_hand,
  reserved: r.reserved,
  available: r.on_hand - r.reserved,
  version: r.version,
});

/** A level update as the room would hold it. */
export const asLevel = (l: LevelUpdate): RoomLevel => ({
  sku: l.sku,
  onHand: l.onHand,
  reserved: l.reserved,
  available: l.onHand - l.reserved,
  version: l.version,
});

/** How many changes the change log keeps for clients that resume. */
const CHANGES_KEPT = 1000;

export class RoomLevels {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS level (
      sku TEXT PRIMARY KEY,
      on_hand INTEGER NOT NULL,
      reserved INTEGER NOT NULL,
      version INTEGER NOT NULL
    )`);
    // Sockets that watch a few skus, and availability reads, find levels by their lowercased sku.
    sql.exec('CREATE INDEX IF NOT EXISTS level_lower_sku ON level (lower(sku))');
    // The room's own sequence of applied changes, kept for clients that resume.
    sql.exec(`CREATE TABLE IF NOT EXISTS change (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      sku TEXT NOT NULL
    )`);
    // Level changes that arrived before an earlier change of their level (see the room's pushLevels).
    sql.exec(`CREATE TABLE IF NOT EXISTS early_level (
      sku TEXT NOT NULL,
      from_version INTEGER NOT NULL,
      version INTEGER NOT NULL,
      on_hand INTEGER NOT NULL,
      reserved INTEGER NOT NULL,
      until INTEGER NOT NULL,
      PRIMARY KEY (sku, version)
    )`);
  }

  /** Writes a level (only if its version is newer, unless told otherwise); null if it was not. */
  write(l: LevelUpdate, onlyIfNewer: boolean): RoomLevel | null {
    const row = this.sql
      .exec<LevelRow>(
        `INSERT INTO level (sku, on_hand, reserved, version) VALUES (?, ?, ?, ?)
         ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved,
           version = excluded.version
         WHERE excluded.version > level.version OR NOT ?
         RETURNING sku, on_hand, reserved, version`,
        l.sku,
        l.onHand,
        l.reserved,
        l.version,
        onlyIfNewer ? 1 : 0,
      )
      .toArray()[0];
    return row ? toLevel(row) : null;
  }

  /** The level the room holds for a sku, if any. */
  held(sku: string): RoomLevel | undefined {
    const row = this.sql
      .exec<LevelRow>('SELECT sku, on_hand, reserved, version FROM level WHERE sku = ?', sku)
      .toArray()[0];
    return row ? toLevel(row) : undefined;
  }

  /** The version the room holds for a sku; a level missing from a filled room was created after the fill, at 1. */
  heldVersion(sku: string): number {
    return (
      this.sql.exec<{ version: number }>('SELECT version FROM level WHERE sku = ?', sku).toArray()[0]
        ?.version ?? 1
    );
  }

  /** Every level, by sku. */
  all(): RoomLevel[] {
    return this.sql
      .exec<LevelRow>('SELECT sku, on_hand, reserved, version FROM level ORDER BY sku')
      .toArray()
      .map(toLevel);
  }

  /** These skus' levels (case-insensitively), through the index on lower(sku). */
  bySkus(skus: string[]): RoomLevel[] {
    const wanted = JSON.stringify([...new Set(skus.map((s) => s.toLowerCase()))]);
    return this.sql
      .exec<LevelRow>(
        'SELECT sku, on_hand, reserved, version FROM level WHERE lower(sku) IN (SELECT value FROM json_each(?))',
        wanted,
      )
      .toArray()
      .map(toLevel);
  }

  /** Keeps a change that starts from a version the room has not reached, until `until`. */
  holdEarly(l: LevelUpdate & { fromVersion: number }, until: number): void {
    this.sql.exec(
      `INSERT INTO early_level (sku, from_version, version, on_hand, reserved, until)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      l.sku,
      l.fromVersion,
      l.version,
      l.onHand,
      l.reserved,
      until,
    );
  }

  /**
   * Takes the next held change that now follows on from its level (with `overdue`, also one of
   * a level with a change past its wait), lowest version first; undefined when none is ready.
   */
  takeReadyEarly(overdue: boolean): LevelUpdate | undefined {
    const ready = this.sql
      .exec<LevelRow>(
        `SELECT e.sku, e.version, e.on_hand, e.reserved FROM early_level e
         LEFT JOIN level l ON l.sku = e.sku
         WHERE e.from_version <= coalesce(l.version, 1)
            OR (? AND EXISTS (SELECT 1 FROM early_level o WHERE o.sku = e.sku AND o.until <= ?))
         ORDER BY e.sku, e.version LIMIT 1`,
        overdue ? 1 : 0,
        Date.now(),
      )
      .toArray()[0];
    if (!ready) return undefined;
    this.sql.exec('DELETE FROM early_level WHERE sku = ? AND version = ?', ready.sku, ready.version);
    return { sku: ready.sku, onHand: ready.on_hand, reserved: ready.reserved, version: ready.version };
  }

  /** When the next held change's wait is over, if one is held. */
  nextEarlyDeadline(): number | null {
    return (
      this.sql.exec<{ until: number | null }>('SELECT min(until) AS until FROM early_level').toArray()[0]
        ?.until ?? null
    );
  }

  /** Records a change of the sku in the change log; its sequence number. */
  recordChange(sku: string): number {
    return this.sql.exec<{ seq: number }>('INSERT INTO change (sku) VALUES (?) RETURNING seq', sku).one().seq;
  }

  /** Keeps the change log to the last CHANGES_KEPT changes up to `lastSeq`. */
  trimChanges(lastSeq: number): void {
    this.sql.exec('DELETE FROM change WHERE seq <= ?', lastSeq - CHANGES_KEPT);
  }

  /** The oldest change the log still holds (null when empty): a resume from before it needs a snapshot. */
  oldestSeq(): number | null {
    return (
      this.sql.exec<{ seq: number | null }>('SELECT min(seq) AS seq FROM change').toArray()[0]?.seq ?? null
    );
  }

  /** Each level changed after `since`, as it is now, with its last change's sequence number. */
  changedSince(since: number): (RoomLevel & { seq: number })[] {
    return this.sql
      .exec<LevelRow & { seq: number }>(
        `SELECT max(c.seq) AS seq, l.sku, l.on_hand, l.reserved, l.version
         FROM change c JOIN level l ON l.sku = c.sku WHERE c.seq > ? GROUP BY l.sku ORDER BY 1`,
        since,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, ...toLevel(r) }));
  }

  /** The last change's sequence number (0 before any): what a client resumes from. */
  lastSeq(): number {
    return this.sql.exec<{ seq: number | null }>('SELECT max(seq) AS seq FROM change').toArray()[0]?.seq ?? 0;
  }
}
