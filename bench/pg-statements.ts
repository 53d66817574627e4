/**
 * Where Postgres's time goes while a load runs: pg_stat_statements over one phase, the statements
 * with the most execution time first, with their calls and time per unit of work (an order, a
 * read). Used by benches that name a phase in PG_STATEMENTS; the server must then start with
 * the library preloaded (`statementSettings`), which costs a little on every statement, so only
 * then.
 */
import { connectBenchDatabase } from './bench-core.ts';

/** The Postgres settings a bench adds when PG_STATEMENTS names one of its phases. */
export const statementSettings = (): string[] =>
  process.env.PG_STATEMENTS
    ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all']
    : [];

/** Resets the statistics now; `stop(units)` returns the top statements since, as lines. */
export async function watchStatements(databaseUrl: string) {
  const { pool, close } = connectBenchDatabase(databaseUrl, { max: 1, application: 'bench-statements' });
  await pool.query('create extension if not exists pg_stat_statements');
  await pool.query('select pg_stat_statements_reset()');
  return {
    async stop(units: number, top = 25): Promise<string[]> {
      try {
        const { rows } = await pool.query<{
          query: string;
          calls: string;
          total: number;
          rows: string;
          wal: string;
        }>(
          `select regexp_replace(query, '\\s+', ' ', 'g') as query, calls, total_exec_time as total,
                  rows, wal_bytes as wal
           from pg_stat_statements where query not like '%pg_stat_statements%'
           order by total_exec_time desc limit $1`,
          [top],
        );
        const all = await pool.query<{ total: number; calls: string }>(
          // Top-level only: with track=all a function's time already holds its statements'.
          `select sum(total_exec_time) as total, sum(calls) as calls from pg_stat_statements where toplevel`,
        );
        const per = (ms: number) => ((ms * 1000) / Math.max(units, 1)).toFixed(1);
        return [
          `all top-level statements: ${per(Number(all.rows[0]?.total ?? 0))} us per unit, ${all.rows[0]?.calls} calls`,
          ...rows.map(
            (r) =>
              `${per(r.total).padStart(8)} us/unit ${String(r.calls).padStart(7)} calls ${String(r.rows).padStart(7)} rows ${String(Math.round(Number(r.wal) / Math.max(units, 1))).padStart(6)} wal B/unit  ${r.query.slice(0, 160)}`,
          ),
        ];
      } finally {
        await close();
      }
    },
  };
}
