/** The KPI formulas on the README's worked examples. */
import { describe, expect, test } from 'bun:test';
import {
  abcClasses,
  addDays,
  coefficientOfVariation,
  daysBetween,
  daysOfCover,
  sellThrough,
  sumByCurrency,
  turnover,
  xyzClass,
  zeroRuns,
} from './formulas.ts';
import { bucketStarts } from './sales-series.ts';

describe('ratios', () => {
  test('turnover, days of cover and sell-through of the worked example', () => {
    // 135 sold over 10 days; 150 on hand before, 75 at the end; 60 received.
    expect(turnover(135, 150, 75)).toBe(1.2);
    expect(daysOfCover(75, 135, 10)).toBe(5.5556);
    expect(sellThrough(135, 150, 60)).toBe(0.6429);
  });

  test('nothing to divide by is null, not Infinity', () => {
    expect(turnover(10, 0, 0)).toBeNull();
    expect(daysOfCover(40, 0, 30)).toBeNull();
    expect(sellThrough(0, 0, 0)).toBeNull();
  });
});

describe('ABC', () => {
  test('A holds the first 80 % of value, B the next 15 %, C the rest', () => {
    const values = [2, 30, 5, 50, 3, 10].map((value, i) => ({ key: `s${i}`, value }));
    const classed = abcClasses(values);
    expect(classed.map((c) => [c.value, c.class, c.cumulativeShare])).toEqual([
      [50, 'A', 0.5],
      [30, 'A', 0.8],
      [10, 'B', 0.9],
      [5, 'B', 0.95],
      [3, 'C', 0.98],
      [2, 'C', 1],
    ]);
  });

  test('the sku that crosses 80 % is still A; ties rank by key; no value is all C', () => {
    const crossing = abcClasses([
      { key: 'b', value: 20 },
      { key: 'a', value: 70 },
      { key: 'c', value: 10 },
    ]);
    expect(crossing.map((c) => `${c.key}:${c.class}`)).toEqual(['a:A', 'b:A', 'c:B']);
    const tied = abcClasses([
      { key: 'y', value: 5 },
      { key: 'x', value: 5 },
    ]);
    expect(tied.map((c) => c.key)).toEqual(['x', 'y']);
    expect(abcClasses([{ key: 'z', value: 0 }]).map((c) => c.class)).toEqual(['C']);
  });
});

describe('XYZ', () => {
  const cvOf = (weeks: number[]) =>
    coefficientOfVariation(
      weeks.reduce((s, w) => s + w, 0),
      weeks.reduce((s, w) => s + w * w, 0),
      weeks.length,
    );

  test('steady demand is X, demand every other week Y, one burst Z, none Z', () => {
    expect(cvOf([10, 10, 10, 10])).toBe(0);
    expect(cvOf([0, 20, 0, 20])).toBe(1);
    expect(cvOf([40, 0, 0, 0])).toBe(1.7321);
    expect(cvOf([0, 0])).toBeNull();
    expect([0, 1, 1.7321, null].map((cv) => xyzClass(cv))).toEqual(['X', 'Y', 'Z', 'Z']);
    expect(xyzClass(0.5)).toBe('X');
    expect(xyzClass(0.5001)).toBe('Y');
  });
});

describe('zero runs', () => {
  const m = (id: number, onHandAfter: number) => ({ id, at: new Date(id * 60_000), onHandAfter });

  test('a run starts at the move to 0 and ends at the first above it', () => {
    const { carried, runs } = zeroRuns({ before: 5, moves: [m(1, 0), m(2, 3), m(3, 0), m(4, 0)] });
    expect(carried).toBeUndefined();
    expect(runs).toEqual([
      { startId: 1, startAt: new Date(60_000), endId: 2, endAt: new Date(120_000) },
      { startId: 3, startAt: new Date(180_000), endId: null, endAt: null },
    ]);
  });

  test('a run under way before the moves is carried: its end, or null while it goes on', () => {
    expect(zeroRuns({ before: 0, moves: [m(7, 4)] }).carried).toEqual({ endId: 7, endAt: new Date(420_000) });
    expect(zeroRuns({ before: 0, moves: [] }).carried).toBeNull();
  });
});

describe('money and days', () => {
  test('amounts add up per currency, never across', () => {
    expect(
      sumByCurrency([
        { currency: 'USD', amount: 5 },
        { currency: 'EUR', amount: 2 },
        { currency: 'USD', amount: 1 },
      ]),
    ).toEqual([
      { currency: 'EUR', amount: 2 },
      { currency: 'USD', amount: 6 },
    ]);
  });

  test('days count both ends; weeks start on Monday', () => {
    expect(daysBetween('2025-01-01', '2025-01-10')).toBe(10);
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(bucketStarts('2025-01-01', '2025-01-13', 'week')).toEqual([
      '2024-12-30',
      '2025-01-06',
      '2025-01-13',
    ]);
  });
});
