/**
 * Entity tags for versioned resources: the version as a strong ETag, `"7"`. Used by core and the
 * edge, so a tag read at the edge is accepted by a write in core.
 */
import { ValidationError } from './problem.ts';

export const etagFor = (version: number) => `"${version}"`;

const TAG = /^(W\/)?"(\d{1,15})"$/;

function tagsIn(header: string): { weak: boolean; version: number }[] {
  return header.split(',').map((part) => {
    const match = TAG.exec(part.trim());
    if (!match)
      throw new ValidationError([
        { path: 'If-Match', message: 'ETags as the API sends them, such as "3", or *' },
      ]);
    return { weak: match[1] !== undefined, version: Number(match[2]) };
  });
}

/**
 * The versions If-Match allows: 'any' for `*`, none when absent. Weak tags never match
 * (RFC 9110 uses strong comparison for If-Match).
 */
export function parseIfMatch(header: string | undefined): 'any' | number[] | null {
  if (header === undefined) return null;
  if (header.trim() === '*') return 'any';
  return tagsIn(header)
    .filter((t) => !t.weak)
    .map((t) => t.version);
}

/** Whether If-None-Match names this version (weak comparison, as RFC 9110 asks), or `*`. */
export function ifNoneMatchHits(header: string | null | undefined, version: number): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((part) => {
    const match = TAG.exec(part.trim());
    return match !== null && Number(match[2]) === version;
  });
}
