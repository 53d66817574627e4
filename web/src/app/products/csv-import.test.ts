import { describe, expect, test } from 'bun:test';
import { addPartSummary, emptySummary, fileLine, importProgress, planImport } from './csv-import';

const header = 'sku,name,description\n';
const rows = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => `S-${from + i},Name ${from + i},\n`).join('');

describe('planImport', () => {
  test('a small file is one part: the file itself, its records counted', () => {
    const text = header + rows(3);
    const plan = planImport(text);
    expect(plan.records).toBe(3);
    expect(plan.parts).toHaveLength(1);
    expect(plan.parts[0]?.body).toBe(text);
    expect(plan.parts[0]?.firstLine).toBe(2);
  });

  test('parts hold at most the record limit, each starting with the header', () => {
    const plan = planImport(header + rows(7), { records: 3, bytes: 1_000_000 });
    expect(plan.parts.map((p) => p.records)).toEqual([3, 3, 1]);
    expect(plan.parts.map((p) => p.firstLine)).toEqual([2, 5, 8]);
    for (const part of plan.parts) expect(part.body.startsWith(header)).toBe(true);
    expect(plan.parts[1]?.body).toBe(header + rows(3, 4));
  });

  test('a quoted field with line breaks stays in one record, and later lines are counted right', () => {
    const text = `${header}A,"two\nline name",\nB,"three\r\nline\nname",\nC,plain,\n`;
    const plan = planImport(text, { records: 1, bytes: 1_000_000 });
    expect(plan.parts.map((p) => p.records)).toEqual([1, 1, 1]);
    expect(plan.parts.map((p) => p.firstLine)).toEqual([2, 4, 7]);
    expect(plan.parts[1]?.body).toBe(`${header}B,"three\r\nline\nname",\n`);
  });

  test('an escaped quote does not end the quoted field', () => {
    const plan = planImport(`${header}A,"say ""hi""\nthere",\nB,b,\n`, { records: 1, bytes: 1_000_000 });
    expect(plan.parts.map((p) => p.firstLine)).toEqual([2, 4]);
  });

  test('blank lines travel with their part (so line numbers stay exact) and are not counted', () => {
    const plan = planImport(`${header}A,a,\n\nB,b,\n\n\nC,c,\n`, { records: 2, bytes: 1_000_000 });
    expect(plan.records).toBe(3);
    expect(plan.parts.map((p) => p.records)).toEqual([2, 1]);
    expect(fileLine(plan.parts[0] as never, 4)).toBe(4); // B, after a blank line
    expect(plan.parts[1]?.firstLine).toBe(7); // the blank lines 5 and 6 went with the first part
    expect(fileLine(plan.parts[1] as never, 2)).toBe(7); // C: line 2 of its part, 7 of the file
  });

  test('the byte limit cuts too; a record larger than it goes alone', () => {
    const long = `L,${'x'.repeat(50)},\n`;
    const plan = planImport(`${header}A,a,\n${long}B,b,\n`, { records: 100, bytes: 20 });
    expect(plan.parts.map((p) => p.records)).toEqual([1, 1, 1]);
  });

  test('a file without a trailing newline keeps its last record', () => {
    const plan = planImport(`${header}A,a,\nB,b,`, { records: 1, bytes: 1_000_000 });
    expect(plan.parts[1]?.body).toBe(`${header}B,b,`);
  });

  test('a file with only a header (or nothing) is sent as it is, for the API to answer', () => {
    expect(planImport('sku,name\n').parts).toEqual([
      { body: 'sku,name\n', firstLine: 2, headerLines: 1, records: 0 },
    ]);
    expect(planImport('').parts[0]?.body).toBe('');
  });
});

describe('summaries', () => {
  test("each part's failed lines are numbered as in the file, sorted, and the counts add up", () => {
    const plan = planImport(header + rows(6), { records: 3, bytes: 1_000_000 });
    const [first, second] = plan.parts as [never, never];
    let total = emptySummary();
    total = addPartSummary(total, second, {
      created: 2,
      updated: 0,
      unchanged: 0,
      failedCount: 1,
      failed: [{ line: 3, message: 'barcode: The check digit is wrong' }],
    });
    total = addPartSummary(total, first, {
      created: 1,
      updated: 1,
      unchanged: 0,
      failedCount: 1,
      failed: [{ line: 4, message: 'name: Required' }],
    });
    expect(total.created).toBe(3);
    expect(total.updated).toBe(1);
    expect(total.failedCount).toBe(2);
    expect(total.failed).toEqual([
      { line: 4, message: 'name: Required' },
      { line: 6, message: 'barcode: The check digit is wrong' },
    ]);
  });

  test('progress reads as lines sent of all lines', () => {
    expect(importProgress(120, 480)).toEqual({ label: '120 of 480 lines', fraction: 0.25 });
    expect(importProgress(0, 0).fraction).toBe(1);
    expect(importProgress(1, 1).label).toBe('1 of 1 line');
  });
});
