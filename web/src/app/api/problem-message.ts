/**
 * A failed call as a sentence a person can act on: the fields the API named ("Email: Invalid
 * email address"), else the problem's detail or title. Plain functions, tested with bun:test.
 */
import { ProblemError } from '@varastokkr/client';

/** `lines.0.qty` → "Lines 1 qty"; a top-level `email` → "Email". */
export function fieldLabel(path: string): string {
  const words = path
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : part.replace(/([a-z])([A-Z])/g, '$1 $2')))
    .join(' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface ReadableError {
  /** One line for the whole failure. */
  message: string;
  /** Per field path, its message (to show beside that field). */
  fields: Record<string, string>;
}

export function readableError(err: unknown): ReadableError {
  if (err instanceof ProblemError) {
    const fields = Object.fromEntries(err.errors.map((e) => [e.path, e.message]));
    const named = err.errors.map((e) => (e.path ? `${fieldLabel(e.path)}: ${e.message}` : e.message));
    return { message: named.length > 0 ? named.join('; ') : (err.detail ?? err.title), fields };
  }
  if (err instanceof TypeError)
    return { message: 'The server could not be reached. Check your connection.', fields: {} };
  return { message: err instanceof Error ? err.message : String(err), fields: {} };
}
