/**
 * Invite keys (issue 8 point 3, protocol I1–I6): an invite is a 32-byte random secret (a seed).
 * The admin derives an Ed25519 key pair from it and signs only the PUBLIC half into the
 * membership history (`invite` op); the seed travels to the newcomer in the link's fragment. The
 * newcomer proves it holds the seed by signing its own device key with the invite key
 * (`redeem-invite` op), which any enrolled peer can check against the history while the admin is
 * offline. Deterministic derivation means the link need not carry the key, only the seed.
 */
import type { DeviceId } from '../../domain/types';
import { fromB64url, toB64url, utf8 } from './encoding';
import type { PublicKeyB64, Verifier } from './types';

/** The seed of one invite: 32 random bytes. Secret: only ever in the link's fragment (I7). */
export type InviteSecret = Uint8Array & { readonly __brand: 'InviteSecret' };

/** The invite key as the admin and the newcomer derive it (I2, I3). */
export interface InviteKey {
  /** Public name of the invite, safe to log and to put in the membership history. */
  readonly inviteId: string;
  /** Raw Ed25519 public key, base64url: what the `invite` op records. */
  readonly publicKey: PublicKeyB64;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export const INVITE_SECRET_BYTES = 32;
/** Invite keys are always Ed25519 (I2): derivable from a seed, unlike WebCrypto P-256. */
export const INVITE_KEY_ALGORITHM = 'Ed25519' as const;

/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): a fixed 16-byte prefix, then the seed. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const INVITE_ID_LABEL = 'pamoja-invite-id\n';
const INVITE_ID_BYTES = 12;
const PROOF_LABEL = 'pamoja-invite-v1\n';

const buffer = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

/** True for a value that can be an invite seed (exactly 32 bytes). */
export function isInviteSecret(value: unknown): value is InviteSecret {
  return value instanceof Uint8Array && value.length === INVITE_SECRET_BYTES;
}

/** A fresh invite seed from the platform's CSPRNG (I1). Tests pass their own fixed bytes. */
export function newInviteSecret(): InviteSecret {
  return globalThis.crypto.getRandomValues(new Uint8Array(INVITE_SECRET_BYTES)) as InviteSecret;
}

/** inviteId (I3): base64url of the first 12 bytes of SHA-256("pamoja-invite-id\n" ‖ seed). */
export async function inviteIdFromSecret(seed: InviteSecret): Promise<string> {
  const label = utf8(INVITE_ID_LABEL);
  const input = new Uint8Array(label.length + seed.length);
  input.set(label);
  input.set(seed, label.length);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
  return toB64url(digest.subarray(0, INVITE_ID_BYTES));
}

/**
 * Derives the invite key pair from its seed (I2). The private key is imported non-extractable for
 * signing; a second, extractable import exists only long enough to read the public `x` out of
 * its JWK (WebCrypto has no "public key of this private key" call).
 */
export async function inviteKeyFromSecret(seed: InviteSecret): Promise<InviteKey> {
  if (!isInviteSecret(seed)) throw new Error('invite secret must be 32 bytes');
  const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + seed.length);
  pkcs8.set(PKCS8_ED25519_PREFIX);
  pkcs8.set(seed, PKCS8_ED25519_PREFIX.length);
  const subtle = globalThis.crypto.subtle;
  const signing = await subtle.importKey('pkcs8', pkcs8, 'Ed25519', false, ['sign']);
  const readable = await subtle.importKey('pkcs8', pkcs8, 'Ed25519', true, ['sign']);
  const jwk = await subtle.exportKey('jwk', readable);
  pkcs8.fill(0);
  if (typeof jwk.x !== 'string' || fromB64url(jwk.x)?.length !== 32) {
    throw new Error('platform returned no Ed25519 public key');
  }
  return {
    inviteId: await inviteIdFromSecret(seed),
    publicKey: jwk.x as PublicKeyB64,
    async sign(data) {
      return new Uint8Array(await subtle.sign('Ed25519', signing, buffer(data)));
    },
  };
}

/**
 * A line of the proof message: non-empty text without a newline, so no two (invite, device, key)
 * triples can sign the same bytes (I4).
 */
const isProofField = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 256 && !value.includes('\n');

/** The bytes a redeem proof signs (I4): label, invite, device and its key, one per line. */
export function redeemProofMessage(
  inviteId: string,
  deviceId: DeviceId | string,
  devicePublicKey: PublicKeyB64 | string,
): Uint8Array {
  return utf8(`${PROOF_LABEL}${inviteId}\n${deviceId}\n${devicePublicKey}`);
}

/** The newcomer's proof (I4): base64url of the invite key's signature over its own device key. */
export async function redeemProof(
  seed: InviteSecret,
  deviceId: DeviceId | string,
  devicePublicKey: PublicKeyB64 | string,
): Promise<string> {
  const key = await inviteKeyFromSecret(seed);
  return toB64url(await key.sign(redeemProofMessage(key.inviteId, deviceId, devicePublicKey)));
}

/** Verifies with WebCrypto directly when no shared verifier is given; false on any bad input. */
async function verifyEd25519(
  publicKey: string,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  const raw = fromB64url(publicKey);
  if (raw?.length !== 32 || signature.length !== 64) return false;
  try {
    const subtle = globalThis.crypto.subtle;
    const key = await subtle.importKey('raw', buffer(raw), 'Ed25519', false, ['verify']);
    return await subtle.verify('Ed25519', key, buffer(signature), buffer(data));
  } catch {
    return false;
  }
}

/**
 * Checks a `redeem-invite` proof (I5): true only for a signature by the invite key over exactly
 * this invite, device id and device key. Peer input: any malformed part gives false, never a throw.
 * Whether the invite exists, is unexpired and has uses left is the membership history's check.
 */
export async function checkRedeemProof(
  invitePublicKey: PublicKeyB64 | string,
  proof: string,
  inviteId: string,
  deviceId: DeviceId | string,
  devicePublicKey: PublicKeyB64 | string,
  verifier?: Verifier,
): Promise<boolean> {
  if (typeof proof !== 'string' || typeof invitePublicKey !== 'string') return false;
  if (!isProofField(inviteId) || !isProofField(deviceId) || !isProofField(devicePublicKey)) {
    return false;
  }
  const signature = fromB64url(proof);
  if (signature === undefined) return false;
  const data = redeemProofMessage(inviteId, deviceId, devicePublicKey);
  if (verifier) {
    return verifier.verify(invitePublicKey as PublicKeyB64, INVITE_KEY_ALGORITHM, signature, data);
  }
  return verifyEd25519(invitePublicKey, signature, data);
}
