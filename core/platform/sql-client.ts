/**
 * The one thing the *-reads.ts modules ask of a database driver, so the same SQL runs in core
 * (node-postgres: `db.$client`) and at the edge (Neon's serverless `Client`). No Node-only or
 * Bun-only imports here: the edge bundles this file.
 */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** The cheapest statement there is: the database answers (health checks). */
export async function pingDatabase(client: SqlClient): Promise<void> {
  await client.query('select 1');
}

/**
 * The same client, running one query at a time in the order they were asked: for a connection
 * that several tasks share (pg deprecates overlapping queries on one client).
 */
export function oneQueryAtATime(client: SqlClient): SqlClient {
  let last: Promise<unknown> = Promise.resolve();
  return {
    query: (text, values) => {
      const next = last.then(() => client.query(text, values));
      last = next.catch(() => {});
      return next;
    },
  };
}
