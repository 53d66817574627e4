/**
 * The barcode decoder, loaded only when the camera starts (a chunk of its own, with zxing's
 * wasm glue). The browser's own BarcodeDetector where it reads our symbologies (Android,
 * macOS), else the barcode-detector ponyfill, whose wasm comes from our own assets
 * (/vendor/zxing/, copied there by edge/build-assets.ts): the scanner never calls a CDN.
 */
import { BarcodeDetector as PonyfillDetector, prepareZXingModule } from 'barcode-detector/ponyfill';

/** What labels carry: EAN/UPC on retail goods, Code 128 and QR on our own (the sku). */
const FORMATS = ['ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_128', 'qr_code'] as const;

export interface BarcodeReader {
  /** The codes visible in the frame, if any. */
  read(source: HTMLVideoElement): Promise<string[]>;
}

type DetectorLike = { detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]> };
type NativeDetectorClass = {
  new (options: { formats: string[] }): DetectorLike;
  getSupportedFormats(): Promise<string[]>;
};

let prepared = false;

async function nativeDetector(): Promise<DetectorLike | undefined> {
  const native = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
  if (!native) return undefined;
  const supported = await native.getSupportedFormats().catch(() => [] as string[]);
  return supported.includes('ean_13') ? new native({ formats: [...FORMATS] }) : undefined;
}

function ponyfillDetector(): DetectorLike {
  if (!prepared) {
    prepareZXingModule({
      overrides: {
        locateFile: (path: string, prefix: string) =>
          path.endsWith('.wasm') ? `/vendor/zxing/${path}` : prefix + path,
      },
    });
    prepared = true;
  }
  return new PonyfillDetector({ formats: [...FORMATS] });
}

export async function barcodeReader(): Promise<BarcodeReader> {
  const detector = (await nativeDetector()) ?? ponyfillDetector();
  return {
    read: async (source) => (await detector.detect(source)).map((b) => b.rawValue),
  };
}
