import { beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { prepareZXingModule, type ReaderOptions, readBarcodes } from 'zxing-wasm/reader';
import { ValidationError } from '../platform/problem.ts';
import {
  LABEL_NAME_MAX_CHARS,
  LABEL_SHEET,
  type LabelProduct,
  type LabelSymbology,
  renderLabel,
  renderLabelSheet,
} from './labels.ts';

// The decoder's wasm comes from node_modules; zxing-wasm would otherwise fetch it from a CDN.
beforeAll(async () => {
  const wasm = readFileSync(Bun.resolveSync('zxing-wasm/reader/zxing_reader.wasm', import.meta.dir));
  await prepareZXingModule({
    overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
    fireImmediately: true,
  });
});

const ZXING_FORMAT: Record<LabelSymbology, NonNullable<ReaderOptions['formats']>[number]> = {
  code128: 'Code128',
  qrcode: 'QRCode',
  ean13: 'EAN13',
};

/** What a real decoder reads from the image (PNG bytes), valid symbols only. */
async function scan(png: Uint8Array, symbology: LabelSymbology): Promise<string[]> {
  const results = await readBarcodes(png, { formats: [ZXING_FORMAT[symbology]], tryHarder: true });
  return results.filter((r) => r.isValid).map((r) => r.text);
}

async function pngOf(product: LabelProduct, symbology: LabelSymbology): Promise<Uint8Array> {
  const label = await renderLabel(product, { format: 'png', symbology });
  expect(label.contentType).toBe('image/png');
  expect(label.body).toBeInstanceOf(Uint8Array);
  return label.body as Uint8Array;
}

async function svgOf(product: LabelProduct, symbology: LabelSymbology): Promise<string> {
  const label = await renderLabel(product, { format: 'svg', symbology });
  expect(label.contentType).toBe('image/svg+xml');
  expect(typeof label.body).toBe('string');
  return label.body as string;
}

/** resvg's XML parser is strict, so this also proves the SVG is well-formed. */
function rasterize(svg: string, widthPx: number): Uint8Array {
  const font = Bun.resolveSync('bwip-js/node', import.meta.dir).replace(
    /dist\/[^/]+$/,
    'fonts/Inconsolata.otf',
  );
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: widthPx },
    background: '#FFFFFF',
    font: { loadSystemFonts: false, fontFiles: [font], defaultFontFamily: 'Inconsolata' },
  });
  return resvg.render().asPng();
}

/** RGBA rows of a bwip-js PNG (8-bit RGBA, every row unfiltered), enough to look at its ink. */
function pngRows(png: Uint8Array): { width: number; rows: Uint8Array[] } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  const rows = Array.from({ length: height }, (_, y) => raw.subarray(y * stride, (y + 1) * stride));
  expect(rows.every((row) => row[0] === 0)).toBe(true); // filter type "none" on every row
  return { width, rows: rows.map((row) => row.subarray(1)) };
}

/** Runs of rows that have ink in them: the barcode, then one per caption line. */
function inkBands(png: Uint8Array): number[][] {
  const { rows } = pngRows(png);
  const inked = rows.map((row) => row.some((value, i) => i % 4 !== 3 && value < 128));
  const bands: number[][] = [];
  inked.forEach((ink, y) => {
    if (!ink) return;
    const last = bands.at(-1);
    if (last && last.at(-1) === y - 1) last.push(y);
    else bands.push([y]);
  });
  return bands;
}

async function refusal(work: Promise<unknown>): Promise<ValidationError> {
  try {
    await work;
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

const hammer: LabelProduct = { sku: 'HAM-16OZ', name: 'Claw hammer 16 oz', barcode: '5901234123457' };
const noBarcode: LabelProduct = { sku: 'BOLT-M8.40', name: 'Hex bolt M8 x 40', barcode: null };
const trickyName: LabelProduct = { sku: 'MUG-1', name: `Jää & "Kahvi" <mug> 'XL'`, barcode: 'INT-0001' };

describe('PNG labels scan', () => {
  test('code128 encodes the barcode when there is one, else the sku', async () => {
    expect(await scan(await pngOf(hammer, 'code128'), 'code128')).toEqual(['5901234123457']);
    expect(await scan(await pngOf(noBarcode, 'code128'), 'code128')).toEqual(['BOLT-M8.40']);
  });

  test('qrcode encodes the barcode when there is one, else the sku', async () => {
    expect(await scan(await pngOf(trickyName, 'qrcode'), 'qrcode')).toEqual(['INT-0001']);
    expect(await scan(await pngOf(noBarcode, 'qrcode'), 'qrcode')).toEqual(['BOLT-M8.40']);
  });

  test('ean13 encodes the EAN-13', async () => {
    expect(await scan(await pngOf(hammer, 'ean13'), 'ean13')).toEqual(['5901234123457']);
  });

  test('a UPC-A barcode prints as EAN-13 with a leading 0', async () => {
    const upc = { sku: 'CEREAL', name: 'Cereal', barcode: '036000291452' };
    expect(await scan(await pngOf(upc, 'ean13'), 'ean13')).toEqual(['0036000291452']);
  });

  test('a 64-character sku still scans as code128', async () => {
    const long = { sku: `A${'b1-'.repeat(21)}`, name: 'Long sku', barcode: null };
    expect(long.sku).toHaveLength(64);
    expect(await scan(await pngOf(long, 'code128'), 'code128')).toEqual([long.sku]);
  });
});

describe('PNG labels carry the caption', () => {
  test.each(['code128', 'qrcode'] as const)(
    '%s: barcode, then a sku line, then a name line',
    async (symbology) => {
      const bands = inkBands(await pngOf(hammer, symbology));
      expect(bands).toHaveLength(3);
      const [barcode, sku, name] = bands as [number[], number[], number[]];
      expect(sku.length).toBeGreaterThan(15); // 11 pt at 3 px per point
      expect(name.length).toBeGreaterThan(12);
      expect(name.length).toBeLessThan(barcode.length);
    },
  );

  test('ean13: digits under the bars, then the sku and name lines', async () => {
    expect(inkBands(await pngOf(hammer, 'ean13')).length).toBeGreaterThanOrEqual(3);
  });

  test('the caption is the product: another name draws other pixels', async () => {
    const a = await pngOf(hammer, 'code128');
    const b = await pngOf({ ...hammer, name: 'Claw hammer 20 oz' }, 'code128');
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  test('the label has a white background, not transparency', async () => {
    const { rows } = pngRows(await pngOf(hammer, 'qrcode'));
    const corner = rows[0]!.subarray(0, 4);
    expect(Array.from(corner)).toEqual([255, 255, 255, 255]);
  });

  test('characters the font lacks do not break the label', async () => {
    const png = await pngOf({ ...hammer, name: '漢字 tool 🔨' }, 'code128');
    expect(await scan(png, 'code128')).toEqual(['5901234123457']);
    expect(inkBands(png)).toHaveLength(3);
  });
});

describe('SVG labels', () => {
  test('an <svg> with the sku and the XML-escaped name', async () => {
    const svg = await svgOf(trickyName, 'code128');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('>MUG-1</text>');
    expect(svg).toContain('>Jää &amp; &quot;Kahvi&quot; &lt;mug&gt; &apos;XL&apos;</text>');
    expect(svg).not.toContain('<mug>');
    expect(svg).toMatch(/width="[\d.]+mm" height="[\d.]+mm"/);
  });

  test.each(['code128', 'qrcode', 'ean13'] as const)(
    '%s: the SVG parses and its barcode scans',
    async (symbology) => {
      const svg = await svgOf(hammer, symbology);
      const expected = symbology === 'qrcode' || symbology === 'code128' ? hammer.barcode : '5901234123457';
      expect(await scan(rasterize(svg, 800), symbology)).toEqual([expected!]);
    },
  );

  test('a very long name is cut to the limit, at a word, with an ellipsis', async () => {
    const name = 'Professional cordless hammer drill with two batteries, charger and case';
    const svg = await svgOf({ ...hammer, name }, 'code128');
    const printed = /<text[^>]*>([^<]*)<\/text>\n<\/g>/.exec(svg)?.[1];
    expect(printed).toBe('Professional cordless hammer…');
    expect(Array.from(printed!).length).toBeLessThanOrEqual(LABEL_NAME_MAX_CHARS);
  });

  test('a name without spaces is cut at the limit', async () => {
    const svg = await svgOf({ ...hammer, name: 'x'.repeat(100) }, 'qrcode');
    expect(svg).toContain(`>${'x'.repeat(LABEL_NAME_MAX_CHARS - 1)}…</text>`);
  });

  test('control characters and line breaks in a name become spaces', async () => {
    const svg = await svgOf({ ...hammer, name: 'Line\none\u0007\ttwo' }, 'code128');
    expect(svg).toContain('>Line one two</text>');
  });

  test('a long sku is printed whole, smaller, on a wider label', async () => {
    const sku = `LONG-${'X'.repeat(59)}`;
    const svg = await svgOf({ sku, name: 'n', barcode: null }, 'qrcode');
    const size = Number(new RegExp(`font-size="([\\d.]+)"[^>]*>${sku}</text>`).exec(svg)?.[1]);
    expect(size).toBeLessThan(11); // smaller than a short sku
    expect(size).toBeGreaterThanOrEqual(9); // never smaller than the name: the label widens
  });
});

describe('refusals', () => {
  test.each([
    ['no barcode', null],
    ['a non-GTIN barcode', 'INT-0001'],
    ['an EAN-8', '96385074'],
  ])('ean13 for a product with %s names the symbology', async (_, barcode) => {
    const err = await refusal(renderLabel({ ...hammer, barcode }, { format: 'png', symbology: 'ean13' }));
    expect(err.status).toBe(422);
    expect(err.errors).toHaveLength(1);
    expect(err.errors[0]!.path).toBe('symbology');
    expect(err.errors[0]!.message).toContain('no EAN-13 or UPC-A barcode');
    expect(err.errors[0]!.message).toContain('code128 or qrcode');
  });

  test('an EAN-13 with a wrong check digit is refused on the barcode', async () => {
    const err = await refusal(
      renderLabel({ ...hammer, barcode: '5901234123458' }, { format: 'svg', symbology: 'ean13' }),
    );
    expect(err.errors[0]!.path).toBe('barcode');
    expect(err.errors[0]!.message).toContain('check digit');
  });

  test('an empty value has nothing to encode', async () => {
    const err = await refusal(
      renderLabel({ ...hammer, barcode: '' }, { format: 'png', symbology: 'code128' }),
    );
    expect(err.errors[0]!.path).toBe('barcode');
  });
});

describe('label sheets', () => {
  const products = Array.from({ length: 30 }, (_, i) => ({
    sku: `SKU-${String(i).padStart(3, '0')}`,
    name: i === 7 ? 'Tape <25 mm> & glue' : `Product ${i}`,
    barcode: i % 3 === 0 ? null : `INT-${i}`,
  }));

  test('every sku on A4 pages, 24 to a page, stacked in one SVG', async () => {
    const svg = await renderLabelSheet(products, { symbology: 'code128' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('width="210mm" height="594mm" viewBox="0 0 210 594"');
    for (const { sku } of products) expect(svg).toContain(`>${sku}</text>`);
    expect(svg).toContain('>Tape &lt;25 mm&gt; &amp; glue</text>');
    expect(svg.match(/<text /g)).toHaveLength(60);
  });

  test('one page for up to 24 labels', async () => {
    const svg = await renderLabelSheet(products.slice(0, 24), { symbology: 'qrcode' });
    expect(svg).toContain('height="297mm"');
  });

  test.each(['code128', 'qrcode', 'ean13'] as const)(
    '%s: every label on the printed page scans',
    async (symbology) => {
      const cereal = { ...hammer, sku: 'CEREAL', barcode: '036000291452' };
      const page = symbology === 'ean13' ? [hammer, cereal] : products.slice(0, 9);
      const sheet = await renderLabelSheet(page, { symbology });
      const expected = page.map((p) =>
        symbology === 'ean13' ? p.barcode!.padStart(13, '0') : (p.barcode ?? p.sku),
      );
      // 2480 px across A4 is 300 dpi, an ordinary office printer.
      const scanned = await scan(rasterize(sheet, 2480), symbology);
      expect(scanned.toSorted()).toEqual(expected.toSorted());
    },
  );

  test(`at most ${LABEL_SHEET.maxLabels} labels, at least one`, async () => {
    const many = Array.from({ length: LABEL_SHEET.maxLabels + 1 }, (_, i) => ({
      ...noBarcode,
      sku: `S${i}`,
    }));
    const tooMany = await refusal(renderLabelSheet(many, { symbology: 'code128' }));
    expect(tooMany.errors[0]!.path).toBe('products');
    expect(tooMany.errors[0]!.message).toContain(String(LABEL_SHEET.maxLabels));

    const full = await renderLabelSheet(many.slice(0, LABEL_SHEET.maxLabels), { symbology: 'code128' });
    expect(full).toContain(`height="${LABEL_SHEET.maxPages * 297}mm"`);

    const none = await refusal(renderLabelSheet([], { symbology: 'code128' }));
    expect(none.errors[0]!.path).toBe('products');
  });

  test('ean13 sheet names every product that has no EAN-13', async () => {
    const err = await refusal(renderLabelSheet([hammer, noBarcode, trickyName], { symbology: 'ean13' }));
    expect(err.errors.map((e) => e.path)).toEqual(['symbology', 'symbology']);
    expect(err.errors[0]!.message).toStartWith('BOLT-M8.40: ');
    expect(err.errors[1]!.message).toStartWith('MUG-1: ');
  });

  test('a bad barcode is named by its place in the list', async () => {
    const err = await refusal(
      renderLabelSheet([hammer, { ...hammer, barcode: '5901234123458' }], { symbology: 'ean13' }),
    );
    expect(err.errors).toEqual([
      { path: 'products.1.barcode', message: expect.stringContaining('check digit') },
    ]);
  });
});
