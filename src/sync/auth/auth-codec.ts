/**
 * Byte format of the two peer-authentication messages (docs/protocol-drafts/auth.md A2–A4).
 * Decoding is strict and total: peer bytes give a message or a detail string, never a throw.
 */
import * as encoding from 'lib0/encoding';
import { err, ok, type Result } from '../../lib/result';
import type { KeyAlgorithm } from '../../crdt/trust/types';
import { Reader } from '../reader';

/** A2: version of the auth message format (independent of the sync protocol version). */
export const AUTH_FORMAT_VERSION = 1;
/** A2: nonces are exactly this long. */
export const AUTH_NONCE_BYTES = 32;
/** A4: an auth message above this is refused before it is parsed. */
export const MAX_AUTH_MESSAGE_BYTES = 512;
/** A4: largest channel binding the exchange accepts from its caller. */
export const MAX_CHANNEL_BINDING_BYTES = 1024;

const AuthKind = { challenge: 0x01, proof: 0x02 } as const;

/** One wire code per algorithm, and the raw key length each must have (K11). */
const ALGORITHM_CODE: Record<KeyAlgorithm, number> = { Ed25519: 1, 'P-256': 2 };
const ALGORITHM_BY_CODE = new Map<number, KeyAlgorithm>([
  [1, 'Ed25519'],
  [2, 'P-256'],
]);
export const RAW_PUBLIC_KEY_BYTES: Record<KeyAlgorithm, number> = { Ed25519: 32, 'P-256': 65 };
/** Both algorithms give 64-byte signatures (WebCrypto ECDSA is r‖s). */
export const SIGNATURE_BYTES = 64;

/** Same shape as the hello's device id (codec.ts), so an authenticated id always fits a hello. */
const deviceIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

export interface AuthChallenge {
  deviceId: string;
  algorithm: KeyAlgorithm;
  /** Raw public key bytes (K11). */
  publicKey: Uint8Array;
  nonce: Uint8Array;
}

export interface AuthProof {
  signature: Uint8Array;
}

export function algorithmCode(algorithm: KeyAlgorithm): number {
  return ALGORITHM_CODE[algorithm];
}

export function encodeChallenge(challenge: AuthChallenge): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeUint8(e, AUTH_FORMAT_VERSION);
  encoding.writeUint8(e, AuthKind.challenge);
  encoding.writeVarString(e, challenge.deviceId);
  encoding.writeUint8(e, ALGORITHM_CODE[challenge.algorithm]);
  encoding.writeVarUint8Array(e, challenge.publicKey);
  encoding.writeUint8Array(e, challenge.nonce);
  return encoding.toUint8Array(e);
}

export function encodeProof(proof: AuthProof): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeUint8(e, AUTH_FORMAT_VERSION);
  encoding.writeUint8(e, AuthKind.proof);
  encoding.writeVarUint8Array(e, proof.signature);
  return encoding.toUint8Array(e);
}

/** Runs a strict read; any read error or leftover byte becomes a detail string. */
function strictly<T>(bytes: unknown, kind: number, read: (r: Reader) => Result<T, string>) {
  if (!(bytes instanceof Uint8Array)) return err('not bytes');
  if (bytes.length > MAX_AUTH_MESSAGE_BYTES) return err(`${bytes.length} bytes, above bound`);
  // Copy: the caller's view may sit in a larger buffer it goes on using.
  const reader = new Reader(new Uint8Array(bytes));
  try {
    const version = reader.u8();
    if (version !== AUTH_FORMAT_VERSION) return err(`auth format version ${version}`);
    const got = reader.u8();
    if (got !== kind) return err(`auth message kind ${got}, expected ${kind}`);
    const result = read(reader);
    if (result.ok && reader.remaining !== 0) return err(`${reader.remaining} trailing bytes`);
    return result;
  } catch (error) {
    return err(error instanceof Error ? error.message : String(error));
  }
}

export function decodeChallenge(bytes: unknown): Result<AuthChallenge, string> {
  return strictly(bytes, AuthKind.challenge, (r) => {
    const deviceId = r.varString(64);
    if (!deviceIdPattern.test(deviceId)) return err('bad device id');
    const algorithm = ALGORITHM_BY_CODE.get(r.u8());
    if (!algorithm) return err('unknown algorithm');
    const publicKey = r.varBytes(RAW_PUBLIC_KEY_BYTES[algorithm]);
    if (publicKey.length !== RAW_PUBLIC_KEY_BYTES[algorithm]) return err('bad public key length');
    const nonce = r.bytesOf(AUTH_NONCE_BYTES);
    return ok({ deviceId, algorithm, publicKey, nonce });
  });
}

export function decodeProof(bytes: unknown): Result<AuthProof, string> {
  return strictly(bytes, AuthKind.proof, (r) => {
    const signature = r.varBytes(SIGNATURE_BYTES);
    if (signature.length !== SIGNATURE_BYTES) return err('bad signature length');
    return ok({ signature });
  });
}
