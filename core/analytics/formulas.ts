/**
 * The KPI formulas as plain functions over numbers the queries fetched, so each has its worked
 * examples in formulas.test.ts and the README's definitions quote them.
 */

/** Rounded to 4 decimals: ratios in answers, identical wherever they are computed. */
export const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? round4(numerator / denominator) : null;

/** Inventory turnover over the period: units sold / average units on hand, (start + end) / 2. */
export const turnover = (unitsSold: number, onHandStart: number, onHandEnd: number) =>
  ratio(unitsSold, (onHandStart + onHandEnd) / 2);

/** Days of cover: units on hand at the end / units sold per day over the period. */
export const daysOfCover = (onHandEnd: number, unitsSold: number, days: number) =>
  unitsSold > 0 ? round4(onHandEnd / (unitsSold / days)) : null;

/** Sell-through: units sold / units available to sell (on hand at the start + units received). */
export const sellThrough = (unitsSold: number, onHandStart: number, unitsIn: number) =>
  ratio(unitsSold, onHandStart + unitsIn);

export type AbcClass = 'A' | 'B' | 'C';
export type XyzClass = 'X' | 'Y' | 'Z';

/** Class A holds the first 80 % of value, B the next 15 %, C the rest. */
export const abcThresholds = { a: 0.8, b: 0.95 } as const;
/** Coefficient of variation of weekly demand: X up to 0.5, Y up to 1, Z above (or no demand). */
export const xyzThresholds = { x: 0.5, y: 1 } as const;

export interface Valued {
  key: string;
  value: number;
}

export interface Classed extends Valued {
  share: number;
  cumulativeShare: number;
  class: AbcClass;
}

/**
 * ABC by value, largest first (ties by key): a sku is A while the value ranked before it is
 * under 80 % of the total (so the sku that crosses 80 % is still A), B while under 95 %, else C.
 * Everything is C when the total is 0.
 */
export function abcClasses(items: readonly Valued[]): Classed[] {
  const sorted = [...items].sort((x, y) => y.value - x.value || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const total = sorted.reduce((s, i) => s + i.value, 0);
  let before = 0;
  return sorted.map((i) => {
    const shareBefore = total > 0 ? before / total : 1;
    before += i.value;
    const cls: AbcClass =
      total > 0 && shareBefore < abcThresholds.a
        ? 'A'
        : total > 0 && shareBefore < abcThresholds.b
          ? 'B'
          : 'C';
    return {
      ...i,
      share: total > 0 ? round4(i.value / total) : 0,
      cumulativeShare: total > 0 ? round4(before / total) : 0,
      class: cls,
    };
  });
}

/**
 * Coefficient of variation (population standard deviation / mean) of `periods` buckets whose
 * sum and sum of squares are given (buckets without demand count as 0). Null without demand.
 */
export function coefficientOfVariation(total: number, sumOfSquares: number, periods: number): number | null {
  if (periods <= 0 || total <= 0) return null;
  const mean = total / periods;
  const variance = Math.max(0, sumOfSquares / periods - mean * mean);
  return round4(Math.sqrt(variance) / mean);
}

export const xyzClass = (cv: number | null): XyzClass =>
  cv === null ? 'Z' : cv <= xyzThresholds.x ? 'X' : cv <= xyzThresholds.y ? 'Y' : 'Z';

export interface ZeroRun {
  startId: number;
  startAt: Date;
  endId: number | null;
  endAt: Date | null;
}

export interface LevelMoves {
  /** On hand before the first of these moves (null: the level had none). */
  before: number | null;
  moves: readonly { id: number; at: Date; onHandAfter: number }[];
}

/**
 * Where on hand was 0 in these moves: the end of a run already under way before them (`carried`:
 * undefined when on hand was not 0 before them, null while it goes on), and the runs that start
 * in them. A run starts at the move that takes on hand to 0 and ends at the first that leaves it above.
 */
export function zeroRuns(level: LevelMoves): {
  carried: { endId: number; endAt: Date } | null | undefined;
  runs: ZeroRun[];
} {
  let carried: { endId: number; endAt: Date } | null | undefined = level.before === 0 ? null : undefined;
  let open: ZeroRun | null = null;
  let zero = level.before === 0;
  const runs: ZeroRun[] = [];
  for (const m of level.moves) {
    if (!zero && m.onHandAfter === 0) {
      open = { startId: m.id, startAt: m.at, endId: null, endAt: null };
      runs.push(open);
      zero = true;
    } else if (zero && m.onHandAfter > 0) {
      if (open) {
        open.endId = m.id;
        open.endAt = m.at;
        open = null;
      } else if (carried === null) carried = { endId: m.id, endAt: m.at };
      zero = false;
    }
  }
  return { carried, runs };
}

/** Per currency, never across: amounts added by currency, in currency order. */
export function sumByCurrency(
  entries: Iterable<{ currency: string; amount: number }>,
): { currency: string; amount: number }[] {
  const totals = new Map<string, number>();
  for (const e of entries) totals.set(e.currency, (totals.get(e.currency) ?? 0) + e.amount);
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, amount]) => ({ currency, amount }));
}

/** Whole days from `from` to `to` inclusive (YYYY-MM-DD). */
export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

/** The date `n` days after `day` (YYYY-MM-DD; n may be negative). */
export const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
