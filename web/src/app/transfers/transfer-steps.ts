/** A transfer's next steps, from its status and the role's rights (the API decides each call). */
import type { components } from '@varastokkr/client';

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
