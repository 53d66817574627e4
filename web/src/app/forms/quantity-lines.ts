/**
 * Lines of quantities typed into a form (ship, transfer, count): what the person entered,
 * checked before it is sent, so a typo is named beside its field rather than after a round trip.
 * The API checks everything again; these messages only save a request.
 */

/** A whole number from a quantity field, or why not. Empty counts as 0 when `emptyIsZero`. */
export function wholeNumber(
  text: string,
  opts: { min: number; max?: number; emptyIsZero?: boolean },
): { value: number } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return opts.emptyIsZero ? { value: 0 } : { error: 'Enter a number.' };
  if (!/^-?\d+$/.test(trimmed)) return { error: 'Enter a whole number.' };
  const value = Number(trimmed);
  if (value < opts.min) return { error: `Enter ${opts.min} or more.` };
  if (opts.max !== undefined && value > opts.max) return { error: `At most ${opts.max}.` };
  return { value };
}

/** A line as typed: a sku and its quantity field's text. */
export interface DraftLine {
  sku: string;
  qty: string;
}

export interface CheckedLines {
  /** The lines to send (empty rows left out). */
  lines: { sku: string; qty: number }[];
  /** Per field (`lines.0.qty`, the API's own paths), what is wrong with it. */
  errors: Record<string, string>;
}

const skuPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Sku and quantity rows (a transfer's lines, a count): rows left entirely empty are skipped;
 * a sku twice is refused (the person meant one line). Paths are those of the rows as shown.
 */
export function checkSkuLines(rows: readonly DraftLine[], opts: { min: number }): CheckedLines {
  const lines: CheckedLines['lines'] = [];
  const errors: Record<string, string> = {};
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const sku = row.sku.trim();
    if (sku === '' && row.qty.trim() === '') return;
    if (!skuPattern.test(sku)) errors[`lines.${i}.sku`] = sku === '' ? 'Enter a sku.' : 'Not a valid sku.';
    else if (seen.has(sku.toUpperCase())) errors[`lines.${i}.sku`] = `${sku} is already on another line.`;
    seen.add(sku.toUpperCase());
    const qty = wholeNumber(row.qty, { min: opts.min, max: 1_000_000 });
    if ('error' in qty) errors[`lines.${i}.qty`] = qty.error;
    else if (!errors[`lines.${i}.sku`]) lines.push({ sku, qty: qty.value });
  });
  if (lines.length === 0 && Object.keys(errors).length === 0) errors.lines = 'Add at least one line.';
  return { lines, errors };
}
