import { ConflictError } from '../platform/problem.ts';
import type { ShortLine } from './holds.ts';

/** The API's out-of-stock answer: 409, type .../out-of-stock, with the short lines listed. */
export function outOfStock(
  lines: readonly ShortLine[] | readonly { sku: string; requested: number; available: number }[],
): ConflictError {
  return new ConflictError('Not enough stock for some lines; see lines.', 'out-of-stock', { lines });
}
