/**
 * What a warehouse room knows about itself, in its SQLite `meta` table: the warehouse it belongs
 * to (set by the first connection or push) and whether Postgres has filled it yet. Neither goes
 * back once set, so an activation reads each from storage once (each was a query on every tick).
 */
export class RoomMeta {
  private warehouse: string | undefined;
  private synced = false;

  constructor(private readonly sql: SqlStorage) {
    sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  }

  /** The room's warehouse; the first call with `fallback` sets it. '' while unknown. */
  warehouseId(fallback?: string): string {
    if (this.warehouse) return this.warehouse;
    const row = this.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'warehouse'")
      .toArray()[0];
    if (row) this.warehouse = row.value;
    else if (fallback) {
      this.sql.exec("INSERT INTO meta (key, value) VALUES ('warehouse', ?)", fallback);
      this.warehouse = fallback;
    }
    return this.warehouse ?? '';
  }

  /** Whether the room has been filled from Postgres since it was created. */
  isSynced(): boolean {
    this.synced ||= this.sql.exec("SELECT 1 FROM meta WHERE key = 'synced'").toArray().length > 0;
    return this.synced;
  }

  /** The room was filled from Postgres now. */
  markSynced(): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('synced', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      new Date().toISOString(),
    );
    this.synced = true;
  }
}
