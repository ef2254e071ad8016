/**
 * The invite as a QR code (issue 8 point 3, protocol I13–I15). Drawing uses `qrcode` (SVG,
 * error correction M: survives a scuffed screen and stays small enough for a phone camera).
 * Reading uses the browser's `BarcodeDetector` where it exists and `jsqr` on camera frames
 * otherwise. Both return the text only; `decodeInviteLink` decides whether it is an invite.
 */
import jsQR from 'jsqr';
import QRCode from 'qrcode';

/** Renders a link as an SVG document string (I13). */
export function inviteQrSvg(link: string): Promise<string> {
  return QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}

/** The fields of an ImageData this reads (a canvas frame in the app, a plain buffer in tests). */
export interface RgbaFrame {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** Text of the QR code in one RGBA frame, or undefined when there is none (I14). Never throws. */
export function decodeQrFromImageData(frame: RgbaFrame): string | undefined {
  const { data, width, height } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    return undefined;
  }
  if (data.length !== width * height * 4) return undefined;
  try {
    return jsQR(data, width, height, { inversionAttempts: 'attemptBoth' })?.data ?? undefined;
  } catch {
    return undefined;
  }
}

/** The part of the Barcode Detection API this uses (not yet in TypeScript's DOM types). */
interface BarcodeDetectorLike {
  detect(source: unknown): Promise<Array<{ rawValue: string; format?: string }>>;
}
interface BarcodeDetectorConstructor {
  new (options?: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats?: () => Promise<string[]>;
}

export type BarcodeScan =
  | { type: 'found'; text: string }
  | { type: 'none' }
  | { type: 'unsupported' }
  | { type: 'failed'; detail: string };

function barcodeDetectorClass(scope: object): BarcodeDetectorConstructor | undefined {
  const candidate = (scope as { BarcodeDetector?: unknown }).BarcodeDetector;
  return typeof candidate === 'function' ? (candidate as BarcodeDetectorConstructor) : undefined;
}

/** True when this browser can read QR codes natively (then the camera needs no jsqr pass). */
export async function hasQrBarcodeDetector(scope: object = globalThis): Promise<boolean> {
  const Detector = barcodeDetectorClass(scope);
  if (!Detector) return false;
  if (!Detector.getSupportedFormats) return true;
  try {
    return (await Detector.getSupportedFormats()).includes('qr_code');
  } catch {
    return false;
  }
}

/**
 * Reads a QR code from a video frame, image or canvas with `BarcodeDetector` (I14). Returns
 * `unsupported` where the browser has none, so the caller falls back to jsqr on a canvas frame.
 */
export async function scanWithBarcodeDetector(
  source: unknown,
  scope: object = globalThis,
): Promise<BarcodeScan> {
  const Detector = barcodeDetectorClass(scope);
  if (!Detector) return { type: 'unsupported' };
  try {
    const found = await new Detector({ formats: ['qr_code'] }).detect(source);
    const first = found.find((code) => typeof code.rawValue === 'string' && code.rawValue !== '');
    return first ? { type: 'found', text: first.rawValue } : { type: 'none' };
  } catch (error) {
    return { type: 'failed', detail: error instanceof Error ? error.message : String(error) };
  }
}
