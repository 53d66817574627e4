/**
 * The arithmetic of reordering, as plain functions (unit-tested on worked examples in
 * reorder-formulas.test.ts). Quantities are units; time is days.
 */

/** Mean and (population) standard deviation of daily demand, from a window's sums (days with none count as 0). */
export function dailyDemand(
  total: number,
  sumOfSquares: number,
  days: number,
): { mean: number; stdDev: number } {
  if (days <= 0) return { mean: 0, stdDev: 0 };
  const mean = total / days;
  const variance = Math.max(0, sumOfSquares / days - mean * mean);
  return { mean, stdDev: Math.sqrt(variance) };
}

/**
 * The z-score of a service level (the chance of not running out during a lead time), by
 * Acklam's rational approximation of the normal quantile (relative error below 1.2e-9).
 */
export function serviceLevelZ(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('A service level is between 0 and 1.');
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const tail = (q: number) =>
    (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/** Reorder point = demand over the lead time + safety stock (z · σ_daily · √lead time), rounded up. */
export function reorderPoint(mean: number, stdDev: number, leadTimeDays: number, z: number): number {
  return Math.ceil(mean * leadTimeDays + z * stdDev * Math.sqrt(leadTimeDays));
}

/**
 * Economic order quantity √(2·D·S / H): D annual demand (units), S the cost of placing one order,
 * H the cost of holding one unit for a year (unit cost × holding rate). Null when a cost is unknown.
 */
export function economicOrderQuantity(
  annualDemand: number,
  orderCost: number | null,
  holdingCostPerUnitYear: number | null,
): number | null {
  if (orderCost === null || holdingCostPerUnitYear === null || holdingCostPerUnitYear <= 0) return null;
  if (annualDemand <= 0) return null;
  return Math.sqrt((2 * annualDemand * orderCost) / holdingCostPerUnitYear);
}

/** A quantity as the vendor sells it: rounded up to whole packs, and at least the minimum order. */
export function vendorQuantity(qty: number, packSize: number, minOrderQty: number): number {
  const pack = Math.max(1, packSize);
  const wanted = Math.max(Math.ceil(qty), minOrderQty, 1);
  return Math.ceil(wanted / pack) * pack;
}

/**
 * What to order for a level whose inventory position fell below its reorder point: up to the
 * reorder quantity or, when that is not enough to get back to the reorder point, the shortfall;
 * then as the vendor sells it. 0 when the position is not below the point.
 */
export function replenishmentQuantity(level: {
  position: number;
  reorderPoint: number;
  reorderQty: number | null;
  packSize: number;
  minOrderQty: number;
}): number {
  const shortfall = level.reorderPoint - level.position;
  if (shortfall <= 0) return 0;
  return vendorQuantity(Math.max(level.reorderQty ?? 0, shortfall), level.packSize, level.minOrderQty);
}

/** Inventory position: what the warehouse has and will have without ordering more. */
export const inventoryPosition = (l: {
  onHand: number;
  reserved: number;
  onOrder: number;
  inTransit: number;
}) => l.onHand - l.reserved + l.onOrder + l.inTransit;
