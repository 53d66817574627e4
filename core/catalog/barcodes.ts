/**
 * Barcodes as products carry them. GTINs (EAN-13, UPC-A, EAN-8) have a check digit we verify;
 * anything else (Code 128 labels, internal codes) is stored as given. GTINs are looked up by
 * their 14-digit form, so a UPC-A scanned as 12 digits and the same code read as a 13-digit EAN
 * find the same product, and cannot be given to two products.
 */

export type BarcodeKind = 'ean13' | 'upca' | 'ean8' | 'other';

/** Printable ASCII without spaces at either end: what a scanner can send as keystrokes. */
export const BARCODE_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;

const GTIN_KINDS: Record<number, BarcodeKind> = { 8: 'ean8', 12: 'upca', 13: 'ean13' };

/** The GS1 check digit for the digits before it (mod 10, weights 3 and 1 from the right). */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function barcodeKind(code: string): BarcodeKind {
  return /^\d+$/.test(code) ? (GTIN_KINDS[code.length] ?? 'other') : 'other';
}

/** Why this barcode is refused, or null when it is acceptable. */
export function barcodeProblem(code: string): string | null {
  if (!BARCODE_PATTERN.test(code)) return 'Printable ASCII, 1 to 64 characters, no spaces at either end';
  const kind = barcodeKind(code);
  if (kind === 'other') return null;
  const expected = gtinCheckDigit(code.slice(0, -1));
  if (Number(code.at(-1)) !== expected)
    return `Not a valid ${kind.toUpperCase()}: the check digit should be ${expected}`;
  return null;
}

/** The key a barcode is unique by and looked up by: GTINs as 14 digits, others as given. */
export function barcodeLookupKey(code: string): string {
  return barcodeKind(code) === 'other' ? code : code.padStart(14, '0');
}

/** The 13 digits to print as EAN-13, when the barcode is an EAN-13 or a UPC-A. */
export function asEan13(code: string): string | null {
  const kind = barcodeKind(code);
  if (kind === 'ean13') return code;
  if (kind === 'upca') return `0${code}`;
  return null;
}
