/**
 * A list screen's rows, fetched a page at a time (`{ items, nextCursor }`, as every list in the
 * API answers): the first page again when a filter changes, the next on "show more". An answer
 * to a call that a newer first-page call overtook is dropped, so a slow old filter never wins.
 */
import { signal } from '@angular/core';
import { readableError } from './problem-message';

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export class PagedList<T> {
  readonly items = signal<readonly T[]>([]);
  readonly nextCursor = signal<string | null>(null);
  /** Whether a first answer (rows or an error) has come. */
  readonly loaded = signal(false);
  readonly error = signal('');
  private generation = 0;

  constructor(private readonly fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {}

  /** The first page, replacing the rows. */
  reload(): Promise<void> {
    this.generation += 1;
    return this.load(undefined, this.generation);
  }

  /** The next page, added below the rows (nothing when on the last). */
  async more(): Promise<void> {
    const cursor = this.nextCursor();
    if (cursor) await this.load(cursor, this.generation);
  }

  /** Rows changed here (an edit, a retry): the list shows the API's answer without a refetch. */
  change(rows: (items: readonly T[]) => readonly T[]): void {
    this.items.set(rows(this.items()));
  }

  private async load(cursor: string | undefined, generation: number): Promise<void> {
    try {
      const page = await this.fetchPage(cursor);
      if (generation !== this.generation) return;
      this.items.set(cursor ? [...this.items(), ...page.items] : page.items);
      this.nextCursor.set(page.nextCursor ?? null);
      this.error.set('');
    } catch (err) {
      if (generation === this.generation) this.error.set(readableError(err).message);
    } finally {
      if (generation === this.generation) this.loaded.set(true);
    }
  }
}
