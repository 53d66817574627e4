import { expect, test } from 'bun:test';
import { receiptLines, type Transfer, transferSteps } from './transfer-steps';

const everything = () => true;

test('ship and cancel while requested, receive in transit, nothing without transfers:write', () => {
  const t = { status: 'requested' } as Transfer;
  expect(transferSteps(t, everything)).toEqual({ ship: true, receive: false, cancel: true });
  expect(transferSteps({ ...t, status: 'in_transit' }, everything)).toEqual({
    ship: false,
    receive: true,
    cancel: false,
  });
  expect(transferSteps(t, (a) => a === 'transfers:read')).toEqual({
    ship: false,
    receive: false,
    cancel: false,
  });
});

test('a partial receipt: typed quantities up to what is still in transit', () => {
  const t = {
    status: 'partially_received',
    lines: [
      { sku: 'A', qty: 5, received: 2, inTransit: 3 },
      { sku: 'B', qty: 1, received: 0, inTransit: 1 },
    ],
  } as Transfer;
  expect(receiptLines(t, ['3', ''])).toEqual({ lines: [{ sku: 'A', qty: 3 }], errors: {} });
  expect(receiptLines(t, ['4', '1']).errors).toEqual({ 'lines.0.qty': 'Only 3 left to receive.' });
  expect(receiptLines(t, ['0', '']).errors).toEqual({ lines: 'Enter a quantity to receive.' });
});
