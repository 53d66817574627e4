/** GET /api/analytics/sales: units sold and revenue per day or week, every bucket of the window. */
import type { SqlClient } from '../platform/sql-client.ts';
import { readSalesBuckets, type SalesBucket, type Window } from './fact-queries.ts';
import { addDays } from './formulas.ts';

export interface SalesPoint extends SalesBucket {
  /** The bucket's last day (within the window). */
  end: string;
}

/** The Monday on or before `day`. */
const weekStart = (day: string) => addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7));

/** Every bucket from the one holding `from` to the one holding `to`: empty ones as zeros. */
export function bucketStarts(from: string, to: string, interval: 'day' | 'week'): string[] {
  const step = interval === 'day' ? 1 : 7;
  const starts: string[] = [];
  for (let d = interval === 'day' ? from : weekStart(from); d <= to; d = addDays(d, step)) starts.push(d);
  return starts;
}

export async function salesSeries(
  client: SqlClient,
  window: Window,
  interval: 'day' | 'week',
): Promise<SalesPoint[]> {
  const found = new Map((await readSalesBuckets(client, window, interval)).map((b) => [b.start, b]));
  const span = interval === 'day' ? 0 : 6;
  return bucketStarts(window.from, window.to, interval).map((start) => {
    // The earlier of the bucket's last day and the window's (YYYY-MM-DD sorts as dates do).
    const end = [addDays(start, span), window.to].sort()[0] ?? window.to;
    const b = found.get(start);
    return { start, end, unitsSold: b?.unitsSold ?? 0, revenue: b?.revenue ?? [] };
  });
}
