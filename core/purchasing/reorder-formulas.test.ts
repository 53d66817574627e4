/** The reorder arithmetic on worked examples (each computed by hand in its comment). */
import { describe, expect, test } from 'bun:test';
import {
  dailyDemand,
  economicOrderQuantity,
  inventoryPosition,
  reorderPoint,
  replenishmentQuantity,
  serviceLevelZ,
  vendorQuantity,
} from './reorder-formulas.ts';

describe('dailyDemand', () => {
  test('5 days shipping 2, 4, 4, 6 and 0: mean 3.2, sigma sqrt(72/5 - 3.2^2) = sqrt(4.16)', () => {
    const { mean, stdDev } = dailyDemand(16, 4 + 16 + 16 + 36, 5);
    expect(mean).toBeCloseTo(3.2, 10);
    expect(stdDev).toBeCloseTo(Math.sqrt(4.16), 10);
  });
  test('the same every day: no deviation; no days: nothing', () => {
    expect(dailyDemand(30, 90, 10)).toEqual({ mean: 3, stdDev: 0 });
    expect(dailyDemand(0, 0, 0)).toEqual({ mean: 0, stdDev: 0 });
  });
});

describe('serviceLevelZ (the normal quantile)', () => {
  test('the textbook values', () => {
    expect(serviceLevelZ(0.5)).toBeCloseTo(0, 9);
    expect(serviceLevelZ(0.9)).toBeCloseTo(1.281552, 5);
    expect(serviceLevelZ(0.95)).toBeCloseTo(1.644854, 5);
    expect(serviceLevelZ(0.975)).toBeCloseTo(1.959964, 5);
    expect(serviceLevelZ(0.99)).toBeCloseTo(2.326348, 5);
    expect(serviceLevelZ(0.01)).toBeCloseTo(-2.326348, 5);
  });
  test('outside (0, 1) is refused', () => {
    expect(() => serviceLevelZ(1)).toThrow(RangeError);
    expect(() => serviceLevelZ(0)).toThrow(RangeError);
  });
});

describe('reorderPoint = mean x L + z x sigma x sqrt(L)', () => {
  test('10 a day, sigma 3, 9 days, z 1.645: 90 + 1.645 x 3 x 3 = 104.805 -> 105', () => {
    expect(reorderPoint(10, 3, 9, 1.645)).toBe(105);
  });
  test('steady demand needs no safety stock: 4 a day for 7 days is 28', () => {
    expect(reorderPoint(4, 0, 7, 1.645)).toBe(28);
  });
});

describe('economicOrderQuantity = sqrt(2DS / H)', () => {
  test('1000 a year, 50 per order, unit cost 20 at 25% a year (H = 5): sqrt(20000) = 141.42', () => {
    expect(economicOrderQuantity(1000, 50, 20 * 0.25)).toBeCloseTo(141.421356, 5);
  });
  test('unknown costs or no demand: no EOQ', () => {
    expect(economicOrderQuantity(1000, null, 5)).toBeNull();
    expect(economicOrderQuantity(1000, 50, null)).toBeNull();
    expect(economicOrderQuantity(0, 50, 5)).toBeNull();
  });
});

describe('vendorQuantity: whole packs, at least the minimum order', () => {
  test.each([
    [25, 12, 1, 36], // 25 -> 3 packs of 12
    [25, 1, 40, 40], // below the MOQ -> the MOQ
    [30, 12, 40, 48], // the MOQ 40 is itself rounded up to packs: 4 x 12
    [141.42, 10, 1, 150], // an EOQ, rounded up to packs
    [0.2, 1, 1, 1], // never less than one
  ])('%p with pack %p and MOQ %p -> %p', (qty, pack, moq, expected) => {
    expect(vendorQuantity(qty, pack, moq)).toBe(expected);
  });
});

describe('replenishmentQuantity', () => {
  const level = { reorderPoint: 10, reorderQty: 25, packSize: 12, minOrderQty: 1 };
  test('below the point: the reorder quantity, in packs', () => {
    expect(replenishmentQuantity({ ...level, position: 3 })).toBe(36);
  });
  test('at or above the point: nothing', () => {
    expect(replenishmentQuantity({ ...level, position: 10 })).toBe(0);
    expect(replenishmentQuantity({ ...level, position: 50 })).toBe(0);
  });
  test('a shortfall bigger than the reorder quantity is covered whole: position -20 needs 30 -> 36', () => {
    expect(replenishmentQuantity({ ...level, position: -20 })).toBe(36);
    expect(replenishmentQuantity({ ...level, packSize: 1, reorderQty: null, position: 4 })).toBe(6);
  });
});

test('inventoryPosition = on hand - reserved + on order + in transit', () => {
  expect(inventoryPosition({ onHand: 40, reserved: 15, onOrder: 24, inTransit: 6 })).toBe(55);
});
