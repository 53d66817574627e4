/**
 * The webhooks benchmark's end check: every healthy receiver got every committed event exactly
 * once by webhook-id. A miss, a resend, a second delivery of one event, a request for an event
 * nobody committed and a bad signature are each counted.
 */
import { expect, test } from 'bun:test';
import { eventKey, type Receipt, sumTallies, tallyReceipts } from './tally.ts';

const receipt = (webhookId: string, key: string, verified = true): Receipt => ({
  webhookId,
  key,
  at: 0,
  occurredAt: 0,
  verified,
});

test('every event once, signed: nothing counted', () => {
  const expected = new Set([eventKey('A', 1), eventKey('A', 2)]);
  expect(tallyReceipts(expected, [receipt('msg_1', 'A:1'), receipt('msg_2', 'A:2')])).toEqual({
    missing: 0,
    duplicates: 0,
    split: 0,
    unexpected: 0,
    unverified: 0,
  });
});

test('misses, resends, split deliveries, strangers and bad signatures are each counted', () => {
  const expected = new Set(['A:1', 'A:2', 'A:3']);
  const tally = tallyReceipts(expected, [
    receipt('msg_1', 'A:1'),
    receipt('msg_1', 'A:1'), // the same delivery sent again
    receipt('msg_9', 'A:2'),
    receipt('msg_8', 'A:2'), // one event, two deliveries
    receipt('msg_7', 'B:1'), // no 201 was seen for it
    receipt('msg_6', 'A:2', false),
  ]);
  expect(tally).toEqual({ missing: 1, duplicates: 1, split: 1, unexpected: 1, unverified: 1 });
  expect(sumTallies([tally, tally])).toEqual({
    missing: 2,
    duplicates: 2,
    split: 2,
    unexpected: 2,
    unverified: 2,
  });
});
