/**
 * Entity tags for versioned resources: the version as a strong ETag, `"7"`. Used by core and the
 * edge, so a tag read at the edge is accepted by a write in core.
 */

import { expected } from './invariant.ts';
import { ValidationError } from './problem.ts';

export const etagFor = (version: number) => `"${version}"`;

/**
 * One entity-tag as RFC 9110 writes it: optional `W/`, then any visible characters but `"`
 * (and obs-text) between double quotes. Any such tag is well-formed; only ours name a version.
 */
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;
const OUR_TAG = /^\d{1,15}$/;

interface EntityTag {
  weak: boolean;
  /** The version the tag names, or null for a tag this API never sent (it matches nothing). */
  version: number | null;
}

/** The tags of an `#entity-tag` list, or null if the list is not one (empty elements allowed). */
export function entityTagsIn(header: string): EntityTag[] | null {
  const tags: EntityTag[] = [];
  for (const element of header.split(',')) {
    const part = element.trim();
    if (part === '') continue;
    const match = ENTITY_TAG.exec(part);
    if (!match) return null;
    const opaque = expected(match[2], 'the opaque tag ENTITY_TAG captures');
    tags.push({ weak: match[1] !== undefined, version: OUR_TAG.test(opaque) ? Number(opaque) : null });
  }
  return tags;
}

/**
 * The versions If-Match allows: 'any' for `*`, none when absent. A well-formed tag this API
 * never sent (`"stale"`) or a weak one (RFC 9110 compares strongly for If-Match) matches no
 * version, so the write answers 412; only a header that is not an entity-tag list is a 422.
 */
export function parseIfMatch(header: string | undefined): 'any' | number[] | null {
  if (header === undefined) return null;
  if (header.trim() === '*') return 'any';
  const tags = entityTagsIn(header);
  if (tags === null)
    throw new ValidationError([
      { path: 'If-Match', message: 'A list of entity-tags such as "3" (quotes included), or *' },
    ]);
  return tags.flatMap((t) => (t.weak || t.version === null ? [] : [t.version]));
}

/** Whether If-None-Match names this version (weak comparison, as RFC 9110 asks), or `*`. */
export function ifNoneMatchHits(header: string | null | undefined, version: number): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return (entityTagsIn(header) ?? []).some((t) => t.version === version);
}
