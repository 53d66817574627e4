/**
 * The arithmetic and rules behind the purchase order screens, as plain functions (tested with
 * bun:test): what a status allows, money typed in major units, the lines a form sends, and what
 * is left to receive.
 */
import type { components } from '@varastokkr/client';

export type PurchaseOrder = components['schemas']['PurchaseOrder'];
export type PurchaseOrderStatus = PurchaseOrder['status'];
export type PurchaseOrderLine = PurchaseOrder['lines'][number];

export const PURCHASE_ORDER_STATUSES: readonly PurchaseOrderStatus[] = [
  'draft',
  'submitted',
  'partially_received',
  'received',
  'closed',
  'cancelled',
];

const statusLabels: Record<PurchaseOrderStatus, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  partially_received: 'Partially received',
  received: 'Received',
  closed: 'Closed short',
  cancelled: 'Cancelled',
};

export const statusLabel = (status: PurchaseOrderStatus): string => statusLabels[status];

/** What the signed-in person may do to a purchase order in this status (the API still decides). */
export interface PurchaseOrderActions {
  editLines: boolean;
  submit: boolean;
  cancel: boolean;
  receive: boolean;
  closeShort: boolean;
}

export function actionsFor(
  status: PurchaseOrderStatus,
  can: (action: string) => boolean,
): PurchaseOrderActions {
  const write = can('purchase-orders:write');
  const receiving = status === 'submitted' || status === 'partially_received';
  return {
    editLines: write && status === 'draft',
    submit: write && status === 'draft',
    cancel: write && (status === 'draft' || status === 'submitted'),
    receive: can('purchase-orders:receive') && receiving,
    closeShort: write && status === 'partially_received',
  };
}

/** A line as the form holds it: text, as typed. */
export interface LineDraft {
  sku: string;
  qty: string;
  /** Major units ("4.20"); empty for the vendor's own price. */
  unitCost: string;
}

export const emptyLine = (): LineDraft => ({ sku: '', qty: '1', unitCost: '' });

/** "4.2" → 420 minor units; empty → null (the vendor's price); anything else → undefined. */
export function toMinorUnits(text: string): number | null | undefined {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return null;
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) return undefined;
  const [whole = '0', cents = ''] = trimmed.split('.');
  return Number(whole) * 100 + Number(cents.padEnd(2, '0'));
}

/** 420 minor units → "4.20", for a form field. */
export const toMajorUnits = (minor: number | null): string =>
  minor === null ? '' : (minor / 100).toFixed(2);

/** 420 EUR → "€4.20" in the reader's locale; null → "vendor price" (the API fills it on submit). */
export function moneyLabel(minor: number | null, currency: string): string {
  if (minor === null) return '–';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

export interface RequestLine {
  sku: string;
  qty: number;
  unitCost?: number | null;
}

/**
 * The lines a create or edit sends: blank rows dropped, quantities as integers. A unit cost the
 * API could not read is reported here by its field path (`lines.1.unitCost`), as the API would.
 */
export function requestLines(drafts: readonly LineDraft[]): {
  lines: RequestLine[];
  errors: Record<string, string>;
} {
  const lines: RequestLine[] = [];
  const errors: Record<string, string> = {};
  for (const draft of drafts) {
    if (draft.sku.trim() === '' && draft.unitCost.trim() === '') continue;
    const path = `lines.${lines.length}`;
    const unitCost = toMinorUnits(draft.unitCost);
    if (unitCost === undefined) errors[`${path}.unitCost`] = 'Write the unit cost as a number, e.g. 4.20';
    const qty = Number(draft.qty.trim());
    lines.push({
      sku: draft.sku.trim(),
      // A quantity that is not a whole number goes as it is: the API names it (lines.N.qty).
      qty: draft.qty.trim() === '' ? Number.NaN : qty,
      ...(unitCost === undefined || unitCost === null ? {} : { unitCost }),
    });
  }
  return { lines, errors };
}

/** The lines of a purchase order as the form's rows (to edit a draft). */
export const draftsOf = (lines: readonly PurchaseOrderLine[]): LineDraft[] =>
  lines.map((l) => ({ sku: l.sku, qty: String(l.qty), unitCost: toMajorUnits(l.unitCost) }));

/** Still to come on a line (never below zero: a tolerance may let more in). */
export const outstanding = (line: PurchaseOrderLine): number => Math.max(0, line.qty - line.received);

/** A receipt's lines from the quantities typed per sku: only those above zero. */
export function receiptLines(quantities: Readonly<Record<string, string>>): { sku: string; qty: number }[] {
  return Object.entries(quantities)
    .map(([sku, text]) => ({ sku, qty: Number(text.trim() || '0') }))
    .filter((line) => line.qty !== 0);
}

/** The first eight characters of an id: enough to tell purchase orders apart on screen. */
export const shortId = (id: string): string => id.slice(0, 8);
