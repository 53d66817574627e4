/**
 * Which warehouses serve an order: a plain function over availability, tested directly.
 * Fewest warehouses first (a single one when any can serve the whole order), then the ones with
 * the most stock, so big sites absorb demand and small ones keep their buffer.
 */

export interface Demand {
  sku: string;
  qty: number;
}

export interface Stock {
  warehouseId: string;
  sku: string;
  available: number;
}

export interface Planned {
  sku: string;
  warehouseId: string;
  qty: number;
}

export interface AllocationPlan {
  allocations: Planned[];
  /** Units no warehouse can serve, per sku. */
  short: Demand[];
}

/** Sums the lines of one request per sku, so two lines of one sku are checked together. */
export function sumBySku(lines: readonly Demand[]): Demand[] {
  const total = new Map<string, number>();
  for (const l of lines) total.set(l.sku, (total.get(l.sku) ?? 0) + l.qty);
  return [...total].map(([sku, qty]) => ({ sku, qty }));
}

export function planAllocation(demand: readonly Demand[], stock: readonly Stock[]): AllocationPlan {
  const available = new Map<string, Map<string, number>>();
  for (const s of stock) {
    if (s.available <= 0) continue;
    const bySku = available.get(s.warehouseId) ?? new Map<string, number>();
    bySku.set(s.sku, (bySku.get(s.sku) ?? 0) + s.available);
    available.set(s.warehouseId, bySku);
  }
  const remaining = new Map(demand.filter((d) => d.qty > 0).map((d) => [d.sku, d.qty]));
  const allocations: Planned[] = [];
  const candidates = new Map(available);
  while (remaining.size > 0 && candidates.size > 0) {
    const best = pickWarehouse(candidates, remaining);
    if (!best) break;
    candidates.delete(best.id);
    for (const [sku, need] of [...remaining]) {
      const take = Math.min(need, best.bySku.get(sku) ?? 0);
      if (take <= 0) continue;
      allocations.push({ sku, warehouseId: best.id, qty: take });
      if (take === need) remaining.delete(sku);
      else remaining.set(sku, need - take);
    }
  }
  return { allocations, short: [...remaining].map(([sku, qty]) => ({ sku, qty })) };
}

/** The warehouse that serves the most remaining units; ties go to more stock, then the id. */
function pickWarehouse(
  candidates: Map<string, Map<string, number>>,
  remaining: Map<string, number>,
): { id: string; bySku: Map<string, number> } | undefined {
  let best: { id: string; bySku: Map<string, number>; covered: number; stock: number } | undefined;
  for (const [id, bySku] of candidates) {
    let covered = 0;
    let stockOfOrder = 0;
    for (const [sku, need] of remaining) {
      const a = bySku.get(sku) ?? 0;
      covered += Math.min(need, a);
      stockOfOrder += a;
    }
    if (covered === 0) continue;
    if (
      !best ||
      covered > best.covered ||
      (covered === best.covered &&
        (stockOfOrder > best.stock || (stockOfOrder === best.stock && id < best.id)))
    )
      best = { id, bySku, covered, stock: stockOfOrder };
  }
  return best;
}
