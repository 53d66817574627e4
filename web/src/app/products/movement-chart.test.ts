import { describe, expect, test } from 'bun:test';
import { drawSeries, type Movement, niceCeiling, onHandSeries } from './movement-chart';

let id = 0;
const movement = (warehouseId: string, qty: number, onHandAfter: number, createdAt: string): Movement => ({
  id: String(++id),
  warehouseId,
  sku: 'S-1',
  type: 'adjustment',
  reason: 'received',
  qty,
  onHandAfter,
  version: id,
  reference: null,
  note: null,
  actorId: null,
  createdAt,
});

describe('onHandSeries', () => {
  test('sums the warehouses, starting each at what it held before its first movement in the window', () => {
    // Newest first, as the API lists them.
    const series = onHandSeries([
      movement('B', -2, 8, '2026-01-03T00:00:00Z'),
      movement('A', 5, 5, '2026-01-02T00:00:00Z'),
      movement('A', -3, 0, '2026-01-01T12:00:00Z'),
    ]);
    // Before: A held 3 (0 - -3), B held 10 (8 - -2).
    expect(series.map((p) => p.onHand)).toEqual([13, 10, 15, 13]);
    expect(series[0]?.at).toBe(Date.parse('2026-01-01T12:00:00Z'));
  });

  test('no movements, no series', () => {
    expect(onHandSeries([])).toEqual([]);
  });
});

describe('scaling', () => {
  test('the y axis tops out at a round number at or above the largest value', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(7)).toBe(10);
    expect(niceCeiling(13)).toBe(20);
    expect(niceCeiling(22)).toBe(25);
    expect(niceCeiling(40)).toBe(50);
    expect(niceCeiling(100)).toBe(100);
    expect(niceCeiling(101)).toBe(200);
  });

  test('time runs left to right across the plot, on hand bottom (0) to top (max)', () => {
    const box = { width: 110, height: 60, left: 10, right: 0, top: 0, bottom: 10 };
    const drawing = drawSeries(
      [
        { at: 0, onHand: 0 },
        { at: 50, onHand: 10 },
        { at: 100, onHand: 5 },
      ],
      box,
    );
    expect(drawing.max).toBe(10);
    expect(drawing.ticks).toEqual([
      { value: 0, y: 50 },
      { value: 5, y: 25 },
      { value: 10, y: 0 },
    ]);
    expect(drawing.path).toBe('M10 50 H10 V50 H60 V0 H110 V25 H110');
  });

  test('a negative total moves the floor below zero; points at one instant are spread out', () => {
    const box = { width: 100, height: 100, left: 0, right: 0, top: 0, bottom: 0 };
    const drawing = drawSeries(
      [
        { at: 7, onHand: -5 },
        { at: 7, onHand: 5 },
      ],
      box,
    );
    expect(drawing.min).toBe(-5);
    expect(drawing.ticks[0]).toEqual({ value: -5, y: 100 });
    expect(drawing.path).toBe('M0 100 H0 V100 H100 V0 H100');
  });

  test('a half-way line is drawn only at a whole number', () => {
    expect(drawSeries([{ at: 0, onHand: 22 }]).ticks.map((t) => t.value)).toEqual([0, 25]);
  });

  test('an empty series draws nothing', () => {
    expect(drawSeries([]).path).toBe('');
  });
});
