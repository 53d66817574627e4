import type { z } from 'zod';
import type { FieldError } from './problem.ts';

/** zod issues as the `errors[]` of a validation problem: a dotted path and a message each. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) => {
    const at = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(body)';
    // An unknown field is named by its own path, so the caller sees which one to drop.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: at([...issue.path, key]), message: 'Unknown field' }));
    }
    return [{ path: at(issue.path), message: issue.message }];
  });
}
