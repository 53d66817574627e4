import { expect, test } from 'bun:test';
import {
  type Abc,
  abcShares,
  columnBars,
  lastDays,
  moneyListText,
  percentText,
  ratioText,
  rowBars,
  shortestCover,
} from './kpi-charts';

test('money stays per currency; ratios and shares read as numbers or a dash', () => {
  expect(
    moneyListText([
      { currency: 'EUR', amount: 55_000 },
      { currency: 'USD', amount: 5 },
    ]),
  ).toBe('550.00 EUR · 0.05 USD');
  expect(moneyListText([])).toBe('–');
  expect(ratioText(5.5556, ' days')).toBe('5.56 days');
  expect(ratioText(null)).toBe('–');
  expect(percentText(0.6429)).toBe('64.3 %');
});

test('bars scale to the largest value', () => {
  const bars = columnBars(
    [
      { label: 'a', value: 10 },
      { label: 'b', value: 5 },
      { label: 'c', value: 0 },
    ],
    300,
    100,
  );
  expect(bars.map((b) => [b.x, b.y, b.height])).toEqual([
    [0, 0, 100],
    [100, 50, 50],
    [200, 100, 0],
  ]);
  expect(
    rowBars(
      [
        { label: 'a', value: 4 },
        { label: 'b', value: 2 },
      ],
      200,
      20,
    ).map((b) => b.width),
  ).toEqual([200, 100]);
});

test('ABC shares per currency and the shortest cover first', () => {
  const abc = {
    classes: [
      { currency: 'EUR', class: 'A', skus: 2, value: 80 },
      { currency: 'EUR', class: 'B', skus: 1, value: 20 },
      { currency: 'USD', class: 'A', skus: 1, value: 5 },
    ],
    items: [
      { sku: 'x', daysOfCover: 9 },
      { sku: 'y', daysOfCover: null },
      { sku: 'z', daysOfCover: 2 },
    ],
  } as unknown as Abc;
  expect(abcShares(abc).map((s) => [s.currency, s.class, s.share])).toEqual([
    ['EUR', 'A', 0.8],
    ['EUR', 'B', 0.2],
    ['USD', 'A', 1],
  ]);
  expect(shortestCover(abc.items, 5).map((i) => i.sku)).toEqual(['z', 'x']);
});

test('the last n days end today', () => {
  expect(lastDays(30, new Date('2026-03-10T12:00:00Z'))).toEqual({ from: '2026-02-09', to: '2026-03-10' });
});
