/** The lines a scanning session builds up: a product and how many of it. Plain functions. */

/** What a scanned code stands for. */
export interface ScannedProduct {
  sku: string;
  name: string;
  barcode: string | null;
}

export interface ScanLine {
  sku: string;
  name: string;
  qty: number;
}

/** One more of the product: a new line at the top, or its line incremented. */
export function addScanned(lines: readonly ScanLine[], product: ScannedProduct): ScanLine[] {
  const existing = lines.find((l) => l.sku === product.sku);
  if (!existing) return [{ sku: product.sku, name: product.name, qty: 1 }, ...lines];
  return lines.map((l) => (l === existing ? { ...l, qty: l.qty + 1 } : l));
}

/** The number typed for a line; anything but a whole number from 0 up leaves it as it was. */
export function setQty(lines: readonly ScanLine[], sku: string, qty: number): ScanLine[] {
  if (!Number.isInteger(qty) || qty < 0) return [...lines];
  return lines.map((l) => (l.sku === sku ? { ...l, qty } : l));
}
