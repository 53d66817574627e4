/** Replenishment's answers in words (plain functions, tested with bun:test). */
import type { components } from '@varastokkr/client';

export type Suggestion = components['schemas']['ReorderSuggestion'];
export type RunResult = components['schemas']['ReplenishmentResult'];

/** Only a suggestion with both numbers can be applied (it needs a preferred vendor's lead time). */
export const isApplicable = (s: Suggestion): boolean =>
  s.suggestedReorderPoint !== null && s.suggestedReorderQty !== null;

/** Whether applying would change anything: the suggested numbers differ from the current ones. */
export const changesSettings = (s: Suggestion): boolean =>
  isApplicable(s) &&
  (s.suggestedReorderPoint !== s.current.reorderPoint || s.suggestedReorderQty !== s.current.reorderQty);

export function methodLabel(method: Suggestion['qtyMethod']): string {
  if (method === 'eoq') return 'Economic order quantity';
  if (method === 'lead_time_demand') return "A lead time's demand";
  return 'No preferred vendor';
}

/** "Drafted 3 lines on 2 purchase orders. 1 sku has no preferred vendor." */
export function runSummary(result: RunResult): string {
  const orders = new Set(result.lines.map((l) => l.purchaseOrderId)).size;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const drafted =
    result.lines.length === 0
      ? 'Nothing to draft: every level is above its reorder point or already on a draft.'
      : `Drafted ${plural(result.lines.length, 'line', 'lines')} on ${plural(orders, 'purchase order', 'purchase orders')}.`;
  const stranded = result.noVendor.length;
  return stranded === 0
    ? drafted
    : `${drafted} ${plural(stranded, 'sku has', 'skus have')} no preferred vendor to order from.`;
}
