/**
 * A value the code's own logic guarantees (the row an INSERT … RETURNING gives, the entry a
 * map was just checked to hold), checked instead of asserted with `!`. Missing, it is a bug, not
 * a bad request: a plain Error, so the caller answers 500 and the log has `what`.
 */
export function expected<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`Expected ${what}, found none.`);
  return value;
}

/** The one row a statement always returns (INSERT/UPDATE … RETURNING of a row, `select f(…)`). */
export const returnedRow = <T>(rows: readonly T[]): T => expected(rows[0], 'the statement to return a row');
