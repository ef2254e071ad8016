import { describe, expect, it } from 'vitest';
import QRCode from 'qrcode';
import {
  decodeQrFromImageData,
  hasQrBarcodeDetector,
  inviteQrSvg,
  scanWithBarcodeDetector,
  type RgbaFrame,
} from '../../../src/app/invite-qr';
import { toB64url } from '../../../src/crdt/trust/encoding';
import type { InviteSecret } from '../../../src/crdt/trust/invite';
import {
  decodeInviteLink,
  encodeInviteLink,
  type Invite,
} from '../../../src/crdt/trust/invite-link';
import type { PublicKeyB64 } from '../../../src/crdt/trust/types';
import type { FacilityCode } from '../../../src/domain/types';

const invite: Invite = {
  version: 1,
  network: {
    networkId: 'n4f2a9c01',
    networkName: 'Mbeya District',
    rootPublicKey: toB64url(new Uint8Array(32).fill(9)) as PublicKeyB64,
    rootAlgorithm: 'Ed25519',
    signalingSecret: 'S3cret-signaling-0123456789abcdef',
    signalingUrls: ['wss://signal.example/ws'],
  },
  inviteOpId: 'q7Jm2c0XoV4tYbRz9sLw1kPdHf3nAe6GuIi8TjKxWyM',
  secret: Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + 1) & 0xff) as InviteSecret,
  grant: { role: 'clinician', facilityCode: '07010100' as FacilityCode, slot: 4 },
  facilityName: 'Kituo cha Afya Igawilo',
  expiresAt: Date.UTC(2027, 0, 31),
};
const link = encodeInviteLink(invite, 'https://pamoja.example/');

/** Draws a QR module matrix as a camera would see a screen: black on white, with a quiet zone. */
function rasterize(text: string, scale = 4, quiet = 4): RgbaFrame {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const side = (modules.size + 2 * quiet) * scale;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const row = Math.floor(y / scale) - quiet;
      const col = Math.floor(x / scale) - quiet;
      const inside = row >= 0 && col >= 0 && row < modules.size && col < modules.size;
      if (inside && modules.get(row, col)) data.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
    }
  }
  return { data, width: side, height: side };
}

describe('invite QR code (I13, I14)', () => {
  it('I13: renders the link as an SVG image', async () => {
    const svg = await inviteQrSvg(link);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<path');
    // The SVG is a picture of the link, not a copy of its text.
    expect(svg).not.toContain(invite.network.signalingSecret);
  });

  it('I14: a rendered invite code scans back to the same link and invite', () => {
    const scanned = decodeQrFromImageData(rasterize(link));
    expect(scanned).toBe(link);
    expect(decodeInviteLink(scanned!)).toEqual({ ok: true, value: invite });
  });

  it('I14: a frame with no code, or a bad frame, gives nothing (never throws)', () => {
    const blank = { data: new Uint8ClampedArray(64 * 64 * 4).fill(255), width: 64, height: 64 };
    expect(decodeQrFromImageData(blank)).toBeUndefined();
    expect(decodeQrFromImageData({ ...blank, width: 63 })).toBeUndefined();
    expect(decodeQrFromImageData({ ...blank, width: 0, height: 0 })).toBeUndefined();
  });
});

describe('BarcodeDetector path (I15)', () => {
  const scopeWith = (detect: (source: unknown) => Promise<Array<{ rawValue: string }>>) => ({
    BarcodeDetector: class {
      static getSupportedFormats = () => Promise.resolve(['qr_code', 'ean_13']);
      constructor(readonly options: { formats: string[] }) {}
      detect = detect;
    },
  });

  it('I15: without BarcodeDetector the scan says unsupported, so the app falls back to jsqr', async () => {
    expect(await hasQrBarcodeDetector({})).toBe(false);
    expect(await scanWithBarcodeDetector({}, {})).toEqual({ type: 'unsupported' });
  });

  it('I15: with BarcodeDetector the first QR value is returned', async () => {
    const frame = { kind: 'video-frame' };
    const scope = scopeWith((source) =>
      Promise.resolve(source === frame ? [{ rawValue: '' }, { rawValue: link }] : []),
    );
    expect(await hasQrBarcodeDetector(scope)).toBe(true);
    expect(await scanWithBarcodeDetector(frame, scope)).toEqual({ type: 'found', text: link });
    expect(await scanWithBarcodeDetector({}, scope)).toEqual({ type: 'none' });
  });

  it('I15: a detector failure is a value, not a throw', async () => {
    const scope = scopeWith(() => Promise.reject(new Error('camera gone')));
    expect(await scanWithBarcodeDetector({}, scope)).toEqual({
      type: 'failed',
      detail: 'camera gone',
    });
  });
});
