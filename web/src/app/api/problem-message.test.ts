import { expect, test } from 'bun:test';
import { ProblemError } from '@varastokkr/client';
import { fieldLabel, readableError } from './problem-message';

test('a validation problem names each field', () => {
  const err = new ProblemError({
    type: 'https://varastokkr.dev/problems/validation',
    title: 'Validation failed',
    status: 400,
    errors: [
      { path: 'email', message: 'Invalid email address' },
      { path: 'lines.0.qty', message: 'Must be at least 1' },
    ],
  });
  expect(readableError(err)).toEqual({
    message: 'Email: Invalid email address; Lines 1 qty: Must be at least 1',
    fields: { email: 'Invalid email address', 'lines.0.qty': 'Must be at least 1' },
  });
});

test('a problem without fields reads as its detail, else its title', () => {
  const detail = { type: 'about:blank', title: 'Unauthorized', status: 401 };
  expect(readableError(new ProblemError({ ...detail, detail: 'Wrong email or password.' })).message).toBe(
    'Wrong email or password.',
  );
  expect(readableError(new ProblemError(detail)).message).toBe('Unauthorized');
});

test('a network failure says so', () => {
  expect(readableError(new TypeError('fetch failed')).message).toContain('could not be reached');
});

test('field paths as words', () => {
  expect(fieldLabel('reorderPoint')).toBe('Reorder point');
  expect(fieldLabel('lines.2.sku')).toBe('Lines 3 sku');
});
