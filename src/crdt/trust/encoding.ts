/**
 * Byte/text encodings shared by the trust modules. Base64url without padding is how keys and
 * signatures travel in trust data (JSON, QR codes, URLs), so decoding is strict: anything that is
 * not canonical base64url yields `undefined`, never a throw, because it comes from peers.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Map<string, number>([...ALPHABET].map((ch, i) => [ch, i]));

/** Base64url (RFC 4648 §5) without padding. */
export function toB64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    const n = (b0 << 16) | ((b1 ?? 0) << 8) | (b2 ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    if (b1 !== undefined) out += ALPHABET[(n >> 6) & 63]!;
    if (b2 !== undefined) out += ALPHABET[n & 63]!;
  }
  return out;
}

/**
 * Decodes unpadded base64url. Returns `undefined` for any other character (including `=`, `+`,
 * `/`, whitespace), an impossible length, or non-zero trailing bits, so one byte string has
 * exactly one accepted text form.
 */
export function fromB64url(s: string): Uint8Array | undefined {
  if (s.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (const ch of s) {
    const v = DECODE.get(ch);
    if (v === undefined) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (what gets signed). */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}
