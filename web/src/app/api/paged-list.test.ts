import { expect, test } from 'bun:test';
import { ProblemError } from '@varastokkr/client';
import { PagedList } from './paged-list';

test('the first page, then more below it, until the last', async () => {
  const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
    first: { items: [1, 2], nextCursor: 'c2' },
    c2: { items: [3], nextCursor: null },
  };
  const list = new PagedList<number>(async (cursor) => pages[cursor ?? 'first'] as never);
  expect(list.loaded()).toBe(false);
  await list.reload();
  expect(list.items()).toEqual([1, 2]);
  expect(list.nextCursor()).toBe('c2');
  await list.more();
  expect(list.items()).toEqual([1, 2, 3]);
  expect(list.nextCursor()).toBeNull();
  await list.more(); // on the last page: nothing
  expect(list.items()).toEqual([1, 2, 3]);
  list.change((rows) => rows.filter((n) => n !== 2));
  expect(list.items()).toEqual([1, 3]);
});

test('a slow answer to an older filter does not replace the newer one', async () => {
  let answerOld: (page: { items: string[] }) => void = () => undefined;
  let calls = 0;
  const list = new PagedList<string>((_cursor) => {
    calls += 1;
    return calls === 1
      ? new Promise((resolve) => (answerOld = resolve))
      : Promise.resolve({ items: ['new'] });
  });
  const old = list.reload();
  await list.reload();
  answerOld({ items: ['old'] });
  await old;
  expect(list.items()).toEqual(['new']);
});

test('a refusal is kept in words, and cleared by the next answer', async () => {
  let fail = true;
  const list = new PagedList<number>(async () => {
    if (fail)
      throw new ProblemError({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'Not yours.' });
    return { items: [1] };
  });
  await list.reload();
  expect(list.error()).toBe('Not yours.');
  expect(list.loaded()).toBe(true);
  fail = false;
  await list.reload();
  expect(list.error()).toBe('');
});
