import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** db/migrations: the SQL files and drizzle's journal of them, shipped with every image. */
export const migrationsFolder = join(import.meta.dir, 'migrations');

export interface JournalEntry {
  /** The file's name without .sql (0003_orders). */
  tag: string;
  /** The timestamp drizzle records in drizzle.__drizzle_migrations.created_at when it applies it. */
  when: number;
}

/** The migrations drizzle-kit wrote, in order: each one's name and the timestamp drizzle records. */
export function migrationJournal(folder = migrationsFolder): JournalEntry[] {
  const file = join(folder, 'meta', '_journal.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { entries: JournalEntry[] }).entries;
}
