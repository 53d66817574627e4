/** If-Match and If-None-Match as RFC 9110 reads them: a mismatch is a 412, only bad syntax a 422. */
import { describe, expect, test } from 'bun:test';
import { entityTagsIn, etagFor, ifNoneMatchHits, parseIfMatch } from './etag.ts';
import { ValidationError } from './problem.ts';

describe('parseIfMatch', () => {
  test('absent is null, * is any', () => {
    expect(parseIfMatch(undefined)).toBeNull();
    expect(parseIfMatch('*')).toBe('any');
    expect(parseIfMatch('  * ')).toBe('any');
  });

  test('our strong tags name versions, in lists too', () => {
    expect(parseIfMatch(etagFor(3))).toEqual([3]);
    expect(parseIfMatch('"1", "7" ,"12"')).toEqual([1, 7, 12]);
    expect(parseIfMatch('"1",,"2",')).toEqual([1, 2]);
  });

  test('a well-formed tag this API never sent matches nothing (a 412, not a 422)', () => {
    expect(parseIfMatch('"stale"')).toEqual([]);
    expect(parseIfMatch('""')).toEqual([]);
    expect(parseIfMatch('"v1-abc"')).toEqual([]);
    expect(parseIfMatch('"stale", "4"')).toEqual([4]);
    expect(parseIfMatch('"9999999999999999"')).toEqual([]);
  });

  test('weak tags never match (strong comparison)', () => {
    expect(parseIfMatch('W/"2"')).toEqual([]);
    expect(parseIfMatch('W/"2", "3"')).toEqual([3]);
  });

  test('what is not an entity-tag list is a 422 naming If-Match', () => {
    for (const broken of ['stale', '3', '"3', '3"', 'w/"3"', '"a"b"', '*, "3"', '"3" "4"', '"a\u0001"']) {
      let thrown: unknown;
      try {
        parseIfMatch(broken);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, broken).toBeInstanceOf(ValidationError);
      expect((thrown as ValidationError).errors[0]?.path).toBe('If-Match');
    }
  });
});

describe('entityTagsIn', () => {
  test('reads weak and strong tags, ours and others', () => {
    expect(entityTagsIn('W/"5", "x"')).toEqual([
      { weak: true, version: 5 },
      { weak: false, version: null },
    ]);
    expect(entityTagsIn('x')).toBeNull();
  });
});

describe('ifNoneMatchHits', () => {
  test('compares weakly, ignores foreign and broken tags', () => {
    expect(ifNoneMatchHits('W/"4"', 4)).toBe(true);
    expect(ifNoneMatchHits('"3", "4"', 4)).toBe(true);
    expect(ifNoneMatchHits('"stale"', 4)).toBe(false);
    expect(ifNoneMatchHits('garbage', 4)).toBe(false);
    expect(ifNoneMatchHits('*', 4)).toBe(true);
    expect(ifNoneMatchHits(undefined, 4)).toBe(false);
  });
});
