/**
 * Keys for one network's signaling, derived from the network name and the shared secret of its
 * invite. The signaling server sees only the topic (an HMAC, so it reveals neither the name nor
 * anything about a facility or patient) and AES-GCM ciphertext. Devices of another network derive
 * another topic and another key, so they never meet, and whatever they might still send fails to
 * open — as a Result, never as a thrown OperationError (y-webrtc's wrong-password trap).
 * WebCrypto only: runs in the browser and in Node 20 (`globalThis.crypto.subtle`).
 */
import { err, ok, type Result } from '../../lib/result';

export interface NetworkKeys {
  /** Hex of HMAC-SHA256 over the network name: the signaling topic. */
  readonly topic: string;
  /** AES-GCM-256 key for every signaling payload of this network. */
  readonly key: CryptoKey;
}

export interface NetworkKeyIssue {
  readonly field: 'name' | 'secret';
  readonly rule: 'non_empty' | 'too_long';
}

export type OpenError = 'malformed' | 'undecryptable';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Fixed, public salts: the secret carries the entropy; these only separate uses and versions. */
const STRETCH_SALT = 'pamoja/signaling-secret/v1';
const TOPIC_INFO = 'pamoja/signaling-topic-key/v1';
const CIPHER_INFO = 'pamoja/signaling-cipher-key/v1/';
const TOPIC_PREFIX = 'pamoja/topic/v1/';
/**
 * PBKDF2 rounds: an invite secret is random, but a hand-typed one may not be, and this runs once
 * per start, so it may cost tens of milliseconds.
 */
const STRETCH_ITERATIONS = 100_000;
const MAX_INPUT_LENGTH = 1024;
const SEALED_VERSION = 1;
const IV_BYTES = 12;
/** Version byte + IV + the GCM tag of an empty plaintext. */
const MIN_SEALED_BYTES = 1 + IV_BYTES + 16;

const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Why a name/secret pair cannot make keys; empty when it can. */
export function networkKeyIssues(name: string, secret: string): NetworkKeyIssue[] {
  const issues: NetworkKeyIssue[] = [];
  for (const [field, value] of [
    ['name', name],
    ['secret', secret],
  ] as const) {
    if (value.length === 0) issues.push({ field, rule: 'non_empty' });
    else if (value.length > MAX_INPUT_LENGTH) issues.push({ field, rule: 'too_long' });
  }
  return issues;
}

export async function deriveNetworkKeys(
  name: string,
  secret: string,
): Promise<Result<NetworkKeys, NetworkKeyIssue[]>> {
  const issues = networkKeyIssues(name, secret);
  if (issues.length > 0) return err(issues);
  const subtle = globalThis.crypto.subtle;
  const password = await subtle.importKey('raw', encoder.encode(secret), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const stretched = await subtle.deriveBits(
    {
      name: 'PBKDF2',
      hash: 'SHA-256',
      salt: encoder.encode(STRETCH_SALT),
      iterations: STRETCH_ITERATIONS,
    },
    password,
    256,
  );
  const master = await subtle.importKey('raw', stretched, 'HKDF', false, ['deriveKey']);
  const hkdf = (info: string): HkdfParams => ({
    name: 'HKDF',
    hash: 'SHA-256',
    salt: new Uint8Array(0),
    info: encoder.encode(info),
  });
  const topicKey = await subtle.deriveKey(
    hkdf(TOPIC_INFO),
    master,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign'],
  );
  const topicMac = await subtle.sign('HMAC', topicKey, encoder.encode(TOPIC_PREFIX + name));
  // The name goes into the cipher key too, so two networks sharing a secret still cannot read
  // each other even if a payload were delivered across topics.
  const key = await subtle.deriveKey(
    hkdf(CIPHER_INFO + name),
    master,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  return ok({ topic: toHex(new Uint8Array(topicMac)), key });
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Encrypts a JSON value: base64 of version byte, random 96-bit IV and ciphertext. The topic is
 * bound as additional data, so a payload replayed into another topic does not open.
 */
export async function sealJson(keys: NetworkKeys, value: unknown): Promise<string> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const cipher = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(keys.topic) },
    keys.key,
    encoder.encode(JSON.stringify(value)),
  );
  const sealed = new Uint8Array(1 + IV_BYTES + cipher.byteLength);
  sealed[0] = SEALED_VERSION;
  sealed.set(iv, 1);
  sealed.set(new Uint8Array(cipher), 1 + IV_BYTES);
  return toBase64(sealed);
}

/** Opens what `sealJson` sealed. Anything else (other key, tampering, garbage) is an error value. */
export async function openJson(
  keys: NetworkKeys,
  sealed: unknown,
): Promise<Result<unknown, OpenError>> {
  if (typeof sealed !== 'string') return err('malformed');
  const bytes = fromBase64(sealed);
  if (!bytes || bytes.length < MIN_SEALED_BYTES || bytes[0] !== SEALED_VERSION) {
    return err('malformed');
  }
  let plain: ArrayBuffer;
  try {
    plain = await globalThis.crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: bytes.subarray(1, 1 + IV_BYTES),
        additionalData: encoder.encode(keys.topic),
      },
      keys.key,
      bytes.subarray(1 + IV_BYTES),
    );
  } catch {
    // WebCrypto reports a wrong key or tampering only by rejecting (OperationError).
    return err('undecryptable');
  }
  try {
    return ok(JSON.parse(decoder.decode(plain)) as unknown);
  } catch {
    // Authentic but not UTF-8 JSON: a peer with the key sent garbage.
    return err('malformed');
  }
}
