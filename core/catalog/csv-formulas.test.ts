/** The formula rule for CSV cells as plain functions: what is neutralised, and that it round-trips. */
import { describe, expect, test } from 'bun:test';
import { neutralisedCell, restoredCell } from './csv-formulas.ts';

describe('neutralisedCell', () => {
  test('prefixes a quote to cells a spreadsheet would run as a formula', () => {
    expect(neutralisedCell('=HYPERLINK("http://evil","x")')).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(neutralisedCell('+1')).toBe(`'+1`);
    expect(neutralisedCell('-2+3')).toBe(`'-2+3`);
    expect(neutralisedCell('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(neutralisedCell('\t=1')).toBe(`'\t=1`);
    expect(neutralisedCell('\r=1')).toBe(`'\r=1`);
  });

  test('leaves other text alone, a hand-written quote included', () => {
    for (const plain of ['Hammer', '', 'a=b', ' =1', "'quoted'", "it's", '12.99', '{"a":"=1"}'])
      expect(neutralisedCell(plain)).toBe(plain);
  });

  test('a quote before a trigger gets one more, so it survives the way back', () => {
    expect(neutralisedCell(`'=1`)).toBe(`''=1`);
    expect(neutralisedCell(`''-x`)).toBe(`'''-x`);
  });
});

describe('restoredCell', () => {
  test('undoes neutralisedCell for every kind of cell', () => {
    const values = [
      '=1+1',
      '-5',
      '+x',
      '@a',
      '\tx',
      '\rx',
      `'=1`,
      `''@x`,
      "'quoted'",
      "'",
      'plain',
      '',
      'x-1',
    ];
    for (const value of values) expect(restoredCell(neutralisedCell(value))).toBe(value);
  });

  test('a hand-written file: a quote before a formula is taken off, other quotes stay', () => {
    expect(restoredCell(`'=1`)).toBe('=1');
    expect(restoredCell(`'quoted'`)).toBe(`'quoted'`);
    expect(restoredCell('=1')).toBe('=1');
  });
});
