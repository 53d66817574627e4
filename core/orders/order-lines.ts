/** An order's requested lines checked against the catalog: the sku's spelling, its price, who may set one. */
import { readProductRefs } from '../catalog/product-ref-reads.ts';
import type { Principal } from '../identity/policy.ts';
import type { Database } from '../platform/database.ts';
import { ValidationError } from '../platform/problem.ts';
import { assertMayPrice } from './order-access.ts';
import type { Money, OrderLine } from './order-model.ts';

export interface ResolvedLine {
  sku: string;
  qty: number;
  unitPrice: Money | null;
}

/**
 * The catalog's spelling and price of each line's sku, or a 422 naming the unknown ones; 403
 * naming the lines whose price the caller may not set (the catalog's, or the one the order
 * already has for that sku, are always fine).
 */
export async function resolveLines(
  db: Database,
  lines: readonly { sku: string; qty: number; unitPrice?: Money | undefined }[],
  principal: Principal,
  current: readonly OrderLine[] = [],
): Promise<ResolvedLine[]> {
  const refs = await readProductRefs(
    db.$client,
    lines.map((l) => l.sku),
  );
  const errors: { path: string; message: string }[] = [];
  const found = lines.flatMap((l, i) => {
    const ref = refs.get(l.sku);
    if (!ref) errors.push({ path: `lines.${i}.sku`, message: `No product has the sku ${l.sku}.` });
    else if (ref.archived)
      errors.push({ path: `lines.${i}.sku`, message: `${ref.sku} is archived and cannot be ordered.` });
    else return [{ line: l, ref }];
    return [];
  });
  if (errors.length > 0) throw new ValidationError(errors);
  assertMayPrice(
    principal,
    found.map(({ line, ref }) => {
      const kept = current.filter((c) => c.sku === ref.sku).map((c) => c.unitPrice);
      return { unitPrice: line.unitPrice, acceptable: [ref.price, ...kept] };
    }),
  );
  return found.map(({ line, ref }) => ({
    sku: ref.sku,
    qty: line.qty,
    unitPrice: line.unitPrice ?? ref.price,
  }));
}
