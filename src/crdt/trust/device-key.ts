/**
 * Device identity (issue 8 point 2, protocol K10–K19): each device holds its own WebCrypto key
 * pair whose private half is created non-extractable, so no code path (backup, export, a bug)
 * can ever read it out; only `sign` can use it. The pair is kept through a `DeviceKeyVault`
 * port; the IndexedDB adapter lives in `src/storage/device-key-vault.ts`.
 */
import type { DeviceId } from '../../domain/types';
import { err, ok, type Result } from '../../lib/result';
import { fromB64url, toB64url, utf8 } from './encoding';
import type { KeyAlgorithm, PublicKeyB64, Signer, Verifier } from './types';

/** A usable device key: signs, and keeps both CryptoKeys for storage. */
export interface DeviceKey extends Signer {
  readonly privateKey: CryptoKey;
  readonly publicCryptoKey: CryptoKey;
}

/** What the vault keeps: the CryptoKeyPair object itself (structured clone keeps it non-extractable). */
export interface StoredDeviceKey {
  readonly algorithm: KeyAlgorithm;
  readonly publicKey: PublicKeyB64;
  readonly pair: CryptoKeyPair;
}

/**
 * Port for keeping the device key. `save` stores the key only when none is stored yet and never
 * replaces one (K14): two tabs setting up at once must end with one identity, not two.
 */
export interface DeviceKeyVault {
  load(): Promise<StoredDeviceKey | undefined>;
  save(key: StoredDeviceKey): Promise<void>;
}

export type DeviceKeyError =
  { type: 'vault-failed'; detail: string } | { type: 'stored-key-unusable'; detail: string };

export interface CreateDeviceKeyOptions {
  /** Force an algorithm (tests force P-256); default: Ed25519 where the platform has it. */
  algorithm?: KeyAlgorithm;
}

const ED25519 = { name: 'Ed25519' } as const;
const P256_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const P256_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

const keyParams = (algorithm: KeyAlgorithm) => (algorithm === 'Ed25519' ? ED25519 : P256_KEY);
const signParams = (algorithm: KeyAlgorithm) => (algorithm === 'Ed25519' ? ED25519 : P256_SIGN);

/** Raw public key lengths (K11): one accepted form per key, so one key has one name and one id. */
const RAW_KEY_BYTES: Record<KeyAlgorithm, number> = { Ed25519: 32, 'P-256': 65 };
/** Both algorithms give 64-byte signatures (WebCrypto ECDSA is r‖s, not DER). */
const SIGNATURE_BYTES = 64;

/** WebCrypto's types want an ArrayBuffer-backed view; copy so a caller's buffer never leaks in. */
const buffer = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

async function generatePair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  // extractable=false applies to the private key; WebCrypto always lets the public key export.
  const pair = await crypto.subtle.generateKey(keyParams(algorithm), false, ['sign', 'verify']);
  return pair as CryptoKeyPair;
}

/**
 * Creates a fresh device key (K10): Ed25519 when the platform can generate one, else ECDSA
 * P-256. Throws only if the platform has neither (startup invariant, not user input).
 */
export async function createDeviceKey(options: CreateDeviceKeyOptions = {}): Promise<DeviceKey> {
  if (options.algorithm !== 'P-256') {
    try {
      return await signerFromKeyPair(await generatePair('Ed25519'), 'Ed25519');
    } catch (error) {
      if (options.algorithm === 'Ed25519') throw error;
      // No Ed25519 here (older Safari/Chromium): fall through to P-256.
    }
  }
  return signerFromKeyPair(await generatePair('P-256'), 'P-256');
}

/** Rebuilds a signer from a stored pair (K13). Rejects if the pair does not fit the algorithm. */
export async function signerFromKeyPair(
  pair: CryptoKeyPair,
  algorithm: KeyAlgorithm,
): Promise<DeviceKey> {
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  if (raw.length !== RAW_KEY_BYTES[algorithm]) {
    throw new Error(`public key has ${raw.length} bytes, not a raw ${algorithm} key`);
  }
  const publicKey = toB64url(raw) as PublicKeyB64;
  const privateKey = pair.privateKey;
  const params = signParams(algorithm);
  return {
    publicKey,
    algorithm,
    privateKey,
    publicCryptoKey: pair.publicKey,
    async sign(data: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(await crypto.subtle.sign(params, privateKey, buffer(data)));
    },
  };
}

/**
 * Device id of a public key (K12): 'd' + the first 16 lowercase hex digits of SHA-256 over the
 * ASCII of its base64url text. Total (no failure path) because the text form is canonical (K11).
 * The id is a name, not a proof: membership binds it to the key, and enrollment refuses an id
 * already bound to another key (K15).
 */
export async function deviceIdFromPublicKey(publicKey: PublicKeyB64): Promise<DeviceId> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer(utf8(publicKey))));
  let hex = '';
  for (const byte of digest.subarray(0, 8)) hex += byte.toString(16).padStart(2, '0');
  return `d${hex}` as DeviceId;
}

/** True when `deviceId` is the id of `publicKey`: what a peer checks before believing a claim. */
export async function deviceIdMatchesKey(
  deviceId: string,
  publicKey: PublicKeyB64,
): Promise<boolean> {
  return (await deviceIdFromPublicKey(publicKey)) === deviceId;
}

export interface WebCryptoVerifierOptions {
  /** How many imported public keys to keep (least recently used goes first). */
  cacheSize?: number;
}

/**
 * A verifier over WebCrypto (K16). Peer input is untrusted: a malformed key or signature, a key
 * of the wrong length for its algorithm, or an algorithm we do not know gives `false`, never a
 * throw. Imported keys are cached (bounded) since a session verifies many changes per signer.
 */
export function createWebCryptoVerifier(options: WebCryptoVerifierOptions = {}): Verifier {
  const cacheSize = Math.max(1, options.cacheSize ?? 256);
  const imported = new Map<string, Promise<CryptoKey | undefined>>();

  function importPublicKey(
    publicKey: PublicKeyB64,
    algorithm: KeyAlgorithm,
  ): Promise<CryptoKey | undefined> {
    const cacheKey = `${algorithm}:${publicKey}`;
    const hit = imported.get(cacheKey);
    if (hit) {
      imported.delete(cacheKey);
      imported.set(cacheKey, hit);
      return hit;
    }
    const raw = fromB64url(publicKey);
    const result =
      raw === undefined ||
      raw.length !== RAW_KEY_BYTES[algorithm] ||
      (algorithm === 'P-256' && raw[0] !== 0x04)
        ? Promise.resolve(undefined)
        : crypto.subtle.importKey('raw', buffer(raw), keyParams(algorithm), false, ['verify']).then(
            (key) => key,
            () => undefined,
          );
    imported.set(cacheKey, result);
    if (imported.size > cacheSize) {
      const oldest = imported.keys().next().value;
      if (oldest !== undefined) imported.delete(oldest);
    }
    return result;
  }

  return {
    async verify(publicKey, algorithm, signature, data) {
      if (!(algorithm in RAW_KEY_BYTES)) return false;
      if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
      const key = await importPublicKey(publicKey, algorithm);
      if (!key) return false;
      try {
        return await crypto.subtle.verify(
          signParams(algorithm),
          key,
          buffer(signature),
          buffer(data),
        );
      } catch {
        return false;
      }
    },
  };
}

/** The verifier the app uses (one cache for the whole tab). */
export const webCryptoVerifier: Verifier = createWebCryptoVerifier();

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The device's key: the stored one, or a new one saved first (K13, K14). After saving it reads
 * back what the vault holds, so a tab that lost a setup race uses the winner's key. A stored key
 * that no longer works is reported, never silently replaced: a new key is a new identity.
 */
export async function loadOrCreateDeviceKey(
  vault: DeviceKeyVault,
  options: CreateDeviceKeyOptions = {},
): Promise<Result<DeviceKey, DeviceKeyError>> {
  let stored: StoredDeviceKey | undefined;
  try {
    stored = await vault.load();
    if (!stored) {
      const fresh = await createDeviceKey(options);
      await vault.save({
        algorithm: fresh.algorithm,
        publicKey: fresh.publicKey,
        pair: { privateKey: fresh.privateKey, publicKey: fresh.publicCryptoKey },
      });
      stored = await vault.load();
      if (!stored) return err({ type: 'vault-failed', detail: 'saved key did not read back' });
    }
  } catch (error) {
    return err({ type: 'vault-failed', detail: describe(error) });
  }
  try {
    const key = await signerFromKeyPair(stored.pair, stored.algorithm);
    if (key.publicKey !== stored.publicKey) {
      return err({ type: 'stored-key-unusable', detail: 'public key does not match its record' });
    }
    // The halves of a pair could have been mixed up in storage; a key that cannot prove itself
    // would make every change this device signs be refused, so say so now.
    const probe = utf8('pamoja/device-key-probe');
    const signature = await key.sign(probe);
    const verified = await crypto.subtle.verify(
      signParams(key.algorithm),
      key.publicCryptoKey,
      buffer(signature),
      buffer(probe),
    );
    if (!verified)
      return err({ type: 'stored-key-unusable', detail: 'private key does not match' });
    return ok(key);
  } catch (error) {
    return err({ type: 'stored-key-unusable', detail: describe(error) });
  }
}

/** A vault in memory, for tests and for a device that cannot keep IndexedDB. */
export function createMemoryDeviceKeyVault(): DeviceKeyVault {
  let stored: StoredDeviceKey | undefined;
  return {
    load: () => Promise.resolve(stored),
    save: (key) => {
      stored ??= key;
      return Promise.resolve();
    },
  };
}
