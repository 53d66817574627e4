import { describe, expect, test } from 'bun:test';
import { actorLabel, changeLines, valueText, whenText } from './audit-rows';

describe('audit rows', () => {
  test('who: a name with its kind, else the kind', () => {
    const from = { ip: '203.0.113.7', userAgent: null, roles: [] };
    expect(actorLabel({ kind: 'user', id: 'u1', name: 'Maija', ...from })).toBe('Maija (User)');
    expect(actorLabel({ kind: 'api_key', id: '7a1c9e3b-aaaa', name: null, ...from })).toBe(
      'API key 7a1c9e3b',
    );
    expect(actorLabel({ kind: 'system', id: null, name: null, ...from })).toBe('System (background job)');
  });

  test('changes sorted by field, values short and readable', () => {
    expect(
      changeLines({
        status: { before: 'pending', after: 'cancelled' },
        priceAmount: { before: null, after: 1299 },
        lines: { before: null, after: [{ sku: 'A', qty: 1, note: 'x'.repeat(80) }] },
      }),
    ).toEqual([
      { field: 'lines', before: '—', after: expect.stringMatching(/^\[\{"sku":"A".*…$/) },
      { field: 'price amount', before: '—', after: '1299' },
      { field: 'status', before: 'pending', after: 'cancelled' },
    ]);
    expect(valueText('[redacted]')).toBe('[redacted]');
    expect(valueText(false)).toBe('false');
  });

  test('times in UTC to the second', () => {
    expect(whenText('2026-01-15T09:30:05.123Z')).toBe('2026-01-15 09:30:05');
  });
});
