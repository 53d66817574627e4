import { DurableObject } from 'cloudflare:workers';

/** How many changed names the log keeps; past it the oldest go and the floor moves up. */
export const CHANGE_LOG_ENTRIES = 2_000;

/** What an isolate learns when it asks what changed since the generation it knows. */
export interface CatalogChanges {
  generation: number;
  /** Every cached read is keyed at least by this: it moves on a full purge and as the log is cut. */
  floor: number;
  /** Names changed after the generation asked about (all the log holds if `whole`), oldest first. */
  changed: { name: string; generation: number }[];
  /** The asker knew too little (nothing, or a generation below the floor): start over from this. */
  whole: boolean;
}

/**
 * The catalog's change log, one object for the whole catalog. Every purge (the jobs runner calls
 * POST /internal/catalog/purge after product.* and warehouse.created) moves the generation on and
 * records, per changed name (a sku, a barcode; core/catalog/catalog-changes.ts), the generation
 * of its last change. A full purge moves the floor instead. Isolates ask what changed since the
 * generation they know at most every GENERATION_TTL_MS and key each cached read by
 * max(floor, last change of the names it depends on): an edit of one product leaves every other
 * product's cached read where it was. The log is bounded: cutting its oldest entries raises the
 * floor to theirs, so those names (and everything else not in the log) key by the floor, the same
 * in every isolate, which is a full drop for an isolate that had fallen that far behind.
 */
export class CatalogGeneration extends DurableObject {
  private generation = 0;
  private floor = 0;
  /** name -> generation of its last change, oldest first (a Map keeps insertion order). */
  private readonly log = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => this.load());
  }

  private async load(): Promise<void> {
    const sql = this.ctx.storage.sql;
    sql.exec(`create table if not exists catalog_state (
      id integer primary key check (id = 1), generation integer not null, floor integer not null)`);
    sql.exec(`create table if not exists catalog_changes (
      name text primary key, generation integer not null)`);
    sql.exec('create index if not exists catalog_changes_by_generation on catalog_changes (generation)');
    const state = sql
      .exec<{ generation: number; floor: number }>('select generation, floor from catalog_state')
      .toArray()[0];
    if (state) {
      this.generation = state.generation;
      this.floor = state.floor;
    } else {
      // The generation from before the log (a plain key): never go back to a number whose
      // cached answers may still exist.
      this.generation = (await this.ctx.storage.get<number>('generation')) ?? 0;
      this.floor = this.generation;
      this.saveState();
    }
    for (const { name, generation } of sql.exec<{ name: string; generation: number }>(
      'select name, generation from catalog_changes order by generation',
    ))
      this.log.set(name, generation);
  }

  private saveState(): void {
    this.ctx.storage.sql.exec(
      'insert or replace into catalog_state (id, generation, floor) values (1, ?, ?)',
      this.generation,
      this.floor,
    );
  }

  async current(): Promise<number> {
    return this.generation;
  }

  /** A purge: these names changed (everything, without names). The new generation. */
  async bump(names?: string[]): Promise<number> {
    const generation = ++this.generation;
    const sql = this.ctx.storage.sql;
    if (!names || names.length >= CHANGE_LOG_ENTRIES) {
      this.floor = generation;
      this.log.clear();
      sql.exec('delete from catalog_changes');
    } else {
      for (const name of names) {
        this.log.delete(name);
        this.log.set(name, generation);
        sql.exec('insert or replace into catalog_changes (name, generation) values (?, ?)', name, generation);
      }
      this.cut();
    }
    this.saveState();
    return generation;
  }

  /** Keeps the log at CHANGE_LOG_ENTRIES: the oldest names go and the floor rises to them. */
  private cut(): void {
    if (this.log.size <= CHANGE_LOG_ENTRIES) return;
    for (const [name, generation] of this.log) {
      if (this.log.size <= CHANGE_LOG_ENTRIES) break;
      this.log.delete(name);
      this.floor = Math.max(this.floor, generation);
    }
    this.ctx.storage.sql.exec('delete from catalog_changes where generation <= ?', this.floor);
    for (const [name, generation] of this.log) {
      if (generation > this.floor) break;
      this.log.delete(name);
    }
  }

  /** What changed after generation `known` (null: an isolate that knows nothing yet). */
  async changesSince(known: number | null): Promise<CatalogChanges> {
    const whole = known === null || known < this.floor || known > this.generation;
    const changed: CatalogChanges['changed'] = [];
    if (whole) {
      for (const [name, generation] of this.log) changed.push({ name, generation });
    } else if (known < this.generation) {
      // Newest last: walk back from the end until the generation the asker knows.
      const entries = [...this.log];
      for (let i = entries.length - 1; i >= 0; i--) {
        const [name, generation] = entries[i] as [string, number];
        if (generation <= known) break;
        changed.push({ name, generation });
      }
      changed.reverse();
    }
    return { generation: this.generation, floor: this.floor, changed, whole };
  }
}
