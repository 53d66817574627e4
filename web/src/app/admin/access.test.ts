import { expect, test } from 'bun:test';
import { ROLES, scopeLabel, whenLabel, withChoice } from './access';

test('a role chosen is added once and in the offered order; unchosen, it is removed', () => {
  expect(withChoice(ROLES, ['clerk'], 'admin', true)).toEqual(['admin', 'clerk']);
  expect(withChoice(ROLES, ['admin', 'clerk'], 'clerk', true)).toEqual(['admin', 'clerk']);
  expect(withChoice(ROLES, ['admin', 'clerk'], 'admin', false)).toEqual(['clerk']);
});

test('the scope reads as warehouse codes, everywhere for an admin, none when empty', () => {
  const warehouses = [
    { id: 'a', code: 'HEL' },
    { id: 'b', code: 'BER' },
  ];
  expect(scopeLabel(['clerk'], ['b', 'a'], warehouses)).toBe('BER, HEL');
  expect(scopeLabel(['admin'], [], warehouses)).toBe('All warehouses');
  expect(scopeLabel(['manager'], [], warehouses)).toBe('No warehouse');
  expect(scopeLabel(['clerk'], ['gone'], warehouses)).toBe('another warehouse');
});

test('a missing time reads as never; a bad one as given', () => {
  expect(whenLabel(null)).toBe('Never');
  expect(whenLabel(undefined, '–')).toBe('–');
  expect(whenLabel('not a date')).toBe('not a date');
  expect(whenLabel('2026-01-15T09:30:00.000Z')).toContain('2026');
});
