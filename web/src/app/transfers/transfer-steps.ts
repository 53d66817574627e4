/** A transfer's next steps, from its status and the role's rights (the API decides each call). */
import type { components } from '@varastokkr/client';
import { type CheckedLines, wholeNumber } from '../forms/quantity-lines';

export type Transfer = components['schemas']['Transfer'];
export type TransferStatus = Transfer['status'];

export const transferStatuses: readonly TransferStatus[] = [
  'requested',
  'in_transit',
  'partially_received',
  'received',
  'cancelled',
];

export interface TransferSteps {
  ship: boolean;
  receive: boolean;
  cancel: boolean;
}

export function transferSteps(transfer: Transfer, can: (action: string) => boolean): TransferSteps {
  const write = can('transfers:write');
  const status = transfer.status;
  return {
    ship: write && status === 'requested',
    receive: write && (status === 'in_transit' || status === 'partially_received'),
    cancel: write && status === 'requested',
  };
}

/** "3 × S-1, 2 × S-2": a transfer's lines in a line of text. */
export function transferSummary(transfer: Transfer): string {
  return transfer.lines.map((l) => `${l.qty} × ${l.sku}`).join(', ');
}

/**
 * A receipt of the quantities typed per line (by the transfer's line index): empty or 0 leaves
 * a line out; more than is still in transit is refused beside that line.
 */
export function receiptLines(transfer: Transfer, typed: readonly string[]): CheckedLines {
  const lines: CheckedLines['lines'] = [];
  const errors: Record<string, string> = {};
  transfer.lines.forEach((line, i) => {
    const qty = wholeNumber(typed[i] ?? '', { min: 0, emptyIsZero: true });
    const left = line.qty - line.received;
    if ('error' in qty) errors[`lines.${i}.qty`] = qty.error;
    else if (qty.value > left) errors[`lines.${i}.qty`] = `Only ${left} left to receive.`;
    else if (qty.value > 0) lines.push({ sku: line.sku, qty: qty.value });
  });
  if (lines.length === 0 && Object.keys(errors).length === 0) errors.lines = 'Enter a quantity to receive.';
  return { lines, errors };
}
