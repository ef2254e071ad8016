import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createDeviceKey,
  createMemoryDeviceKeyVault,
  createWebCryptoVerifier,
  deviceIdFromPublicKey,
  deviceIdMatchesKey,
  loadOrCreateDeviceKey,
  signerFromKeyPair,
  webCryptoVerifier,
  type DeviceKey,
  type DeviceKeyVault,
} from '../../../src/crdt/trust/device-key';
import { fromB64url, toB64url, utf8 } from '../../../src/crdt/trust/encoding';
import type { KeyAlgorithm, PublicKeyB64 } from '../../../src/crdt/trust/types';

const algorithms: KeyAlgorithm[] = ['Ed25519', 'P-256'];
const data = utf8('entry 2026-12-02: viral load suppressed');

afterEach(() => {
  vi.restoreAllMocks();
});

function flipped(bytes: Uint8Array, index = 0): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

async function exportRejects(key: CryptoKey, format: 'raw' | 'pkcs8' | 'jwk'): Promise<boolean> {
  return crypto.subtle.exportKey(format, key).then(
    () => false,
    () => true,
  );
}

describe('encoding', () => {
  it('base64url round-trips every length and matches the standard alphabet', () => {
    for (let length = 0; length < 40; length += 1) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length * 11) & 0xff);
      const text = toB64url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromB64url(text)).toEqual(bytes);
    }
  });

  it('refuses non-canonical base64url instead of guessing', () => {
    for (const bad of ['A', 'AB', 'AA==', 'a+b/', 'AA AA', 'ÄÄÄÄ', 'AAAAA']) {
      expect(fromB64url(bad), bad).toBeUndefined();
    }
  });
});

describe.each(algorithms)('device key %s', (algorithm) => {
  it(`K10: signs, and its signature verifies (${algorithm})`, async () => {
    const key = await createDeviceKey({ algorithm });
    expect(key.algorithm).toBe(algorithm);
    const signature = await key.sign(data);
    expect(signature.length).toBe(64);
    expect(await webCryptoVerifier.verify(key.publicKey, algorithm, signature, data)).toBe(true);
  });

  it(`K10: the private key can never be exported (${algorithm})`, async () => {
    const key = await createDeviceKey({ algorithm });
    expect(key.privateKey.extractable).toBe(false);
    expect(await exportRejects(key.privateKey, 'pkcs8')).toBe(true);
    expect(await exportRejects(key.privateKey, 'jwk')).toBe(true);
    expect(await exportRejects(key.privateKey, 'raw')).toBe(true);
  });

  it(`K11: the public key is the raw key in base64url (${algorithm})`, async () => {
    const key = await createDeviceKey({ algorithm });
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', key.publicCryptoKey));
    expect(key.publicKey).toBe(toB64url(raw));
    expect(raw.length).toBe(algorithm === 'Ed25519' ? 32 : 65);
  });

  it(`K16: tampered data, signature or key does not verify (${algorithm})`, async () => {
    const key = await createDeviceKey({ algorithm });
    const other = await createDeviceKey({ algorithm });
    const signature = await key.sign(data);
    const verify = (pk: PublicKeyB64, sig: Uint8Array, d: Uint8Array, alg = algorithm) =>
      webCryptoVerifier.verify(pk, alg, sig, d);

    expect(await verify(key.publicKey, signature, flipped(data, 5))).toBe(false);
    expect(await verify(key.publicKey, flipped(signature, 10), data)).toBe(false);
    expect(await verify(other.publicKey, signature, data)).toBe(false);
    const raw = fromB64url(key.publicKey)!;
    const tamperedKey = toB64url(flipped(raw, raw.length - 1)) as PublicKeyB64;
    expect(await verify(tamperedKey, signature, data)).toBe(false);
    const otherAlgorithm = algorithm === 'Ed25519' ? 'P-256' : 'Ed25519';
    expect(await verify(key.publicKey, signature, data, otherAlgorithm)).toBe(false);
  });

  it(`K16: malformed keys and signatures give false, never a throw (${algorithm})`, async () => {
    const key = await createDeviceKey({ algorithm });
    const signature = await key.sign(data);
    const malformedKeys = ['', '!!!!', `${key.publicKey}=`, key.publicKey.slice(1), 'AAAA'];
    for (const pk of malformedKeys) {
      expect(await webCryptoVerifier.verify(pk as PublicKeyB64, algorithm, signature, data)).toBe(
        false,
      );
    }
    for (const sig of [new Uint8Array(0), signature.subarray(1), new Uint8Array(65)]) {
      expect(await webCryptoVerifier.verify(key.publicKey, algorithm, sig, data)).toBe(false);
    }
    const unknown = 'RSA' as KeyAlgorithm;
    expect(await webCryptoVerifier.verify(key.publicKey, unknown, signature, data)).toBe(false);
  });

  it(`K13: a signer rebuilt from the stored pair signs as the device (${algorithm})`, async () => {
    const key = await createDeviceKey({ algorithm });
    const rebuilt = await signerFromKeyPair(
      { privateKey: key.privateKey, publicKey: key.publicCryptoKey },
      algorithm,
    );
    expect(rebuilt.publicKey).toBe(key.publicKey);
    const signature = await rebuilt.sign(data);
    expect(await webCryptoVerifier.verify(key.publicKey, algorithm, signature, data)).toBe(true);
  });
});

describe('algorithm choice', () => {
  it('K10: Ed25519 where the platform has it', async () => {
    expect((await createDeviceKey()).algorithm).toBe('Ed25519');
  });

  it('K10: falls back to P-256 when Ed25519 cannot be generated', async () => {
    const generate = crypto.subtle.generateKey.bind(crypto.subtle);
    vi.spyOn(crypto.subtle, 'generateKey').mockImplementation(((
      algorithm: AlgorithmIdentifier,
      ...rest: [boolean, KeyUsage[]]
    ) => {
      const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
      if (name === 'Ed25519') return Promise.reject(new DOMException('no', 'NotSupportedError'));
      return generate(algorithm as EcKeyGenParams, ...rest);
    }) as typeof crypto.subtle.generateKey);
    const key = await createDeviceKey();
    expect(key.algorithm).toBe('P-256');
    const signature = await key.sign(data);
    expect(await webCryptoVerifier.verify(key.publicKey, 'P-256', signature, data)).toBe(true);
  });
});

describe('verifier key cache', () => {
  it('K16: keeps verifying correctly after imported keys are evicted', async () => {
    const verifier = createWebCryptoVerifier({ cacheSize: 2 });
    const keys = await Promise.all([1, 2, 3].map(() => createDeviceKey()));
    const signatures = await Promise.all(keys.map((key) => key.sign(data)));
    for (let round = 0; round < 2; round += 1) {
      for (const [i, key] of keys.entries()) {
        expect(await verifier.verify(key.publicKey, key.algorithm, signatures[i]!, data)).toBe(
          true,
        );
        const wrong = signatures[(i + 1) % keys.length]!;
        expect(await verifier.verify(key.publicKey, key.algorithm, wrong, data)).toBe(false);
      }
    }
  });

  it('K16: imports a signer key once for many verifications', async () => {
    const key = await createDeviceKey();
    const verifier = createWebCryptoVerifier();
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const signature = await key.sign(data);
    for (let i = 0; i < 5; i += 1) {
      expect(await verifier.verify(key.publicKey, key.algorithm, signature, data)).toBe(true);
    }
    expect(importKey).toHaveBeenCalledTimes(1);
  });
});

describe('device id', () => {
  it('K12: is stable for a key and different for another key', async () => {
    const key = await createDeviceKey();
    const other = await createDeviceKey({ algorithm: 'P-256' });
    const id = await deviceIdFromPublicKey(key.publicKey);
    expect(id).toMatch(/^d[0-9a-f]{16}$/);
    expect(await deviceIdFromPublicKey(key.publicKey)).toBe(id);
    expect(await deviceIdFromPublicKey(other.publicKey)).not.toBe(id);
    expect(await deviceIdMatchesKey(id, key.publicKey)).toBe(true);
    expect(await deviceIdMatchesKey(id, other.publicKey)).toBe(false);
  });

  it('K12: is fixed by the key text (a known vector)', async () => {
    // 32 zero bytes as an Ed25519-length key: pins the definition for other implementations.
    const zeroKey = toB64url(new Uint8Array(32)) as PublicKeyB64;
    const expected = createHashHex(zeroKey).slice(0, 16);
    expect(await deviceIdFromPublicKey(zeroKey)).toBe(`d${expected}`);
  });
});

/** Node's own hash, independent of the WebCrypto path under test. */
const createHashHex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('loadOrCreateDeviceKey', () => {
  async function loaded(vault: DeviceKeyVault, algorithm?: KeyAlgorithm): Promise<DeviceKey> {
    const result = await loadOrCreateDeviceKey(vault, algorithm ? { algorithm } : {});
    if (!result.ok) throw new Error(`expected a key, got ${JSON.stringify(result.error)}`);
    return result.value;
  }

  it.each(algorithms)('K13: creates once, then loads the same identity (%s)', async (alg) => {
    const vault = createMemoryDeviceKeyVault();
    const first = await loaded(vault, alg);
    const again = await loaded(vault);
    expect(again.publicKey).toBe(first.publicKey);
    expect(again.algorithm).toBe(alg);
    const signature = await again.sign(data);
    expect(await webCryptoVerifier.verify(first.publicKey, alg, signature, data)).toBe(true);
  });

  it('K14: two tabs setting up at once end with one identity', async () => {
    const vault = createMemoryDeviceKeyVault();
    const [a, b] = await Promise.all([loaded(vault), loaded(vault)]);
    expect(a.publicKey).toBe(b.publicKey);
    expect((await vault.load())?.publicKey).toBe(a.publicKey);
  });

  it('K14: saving never replaces a stored key', async () => {
    const vault = createMemoryDeviceKeyVault();
    const first = await loaded(vault);
    const intruder = await createDeviceKey();
    await vault.save({
      algorithm: intruder.algorithm,
      publicKey: intruder.publicKey,
      pair: { privateKey: intruder.privateKey, publicKey: intruder.publicCryptoKey },
    });
    expect((await loaded(vault)).publicKey).toBe(first.publicKey);
  });

  it('K13: a vault failure is reported, not thrown', async () => {
    const vault: DeviceKeyVault = {
      load: () => Promise.reject(new Error('quota')),
      save: () => Promise.resolve(),
    };
    const result = await loadOrCreateDeviceKey(vault);
    expect(result).toEqual({ ok: false, error: { type: 'vault-failed', detail: 'quota' } });
  });

  it('K13: a stored pair whose halves do not match is reported, never replaced', async () => {
    const mine = await createDeviceKey();
    const other = await createDeviceKey();
    const vault = createMemoryDeviceKeyVault();
    const mixed = {
      algorithm: mine.algorithm,
      publicKey: mine.publicKey,
      pair: { privateKey: other.privateKey, publicKey: mine.publicCryptoKey },
    };
    await vault.save(mixed);
    const result = await loadOrCreateDeviceKey(vault);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.type).toBe('stored-key-unusable');
    expect(await vault.load()).toBe(mixed);
  });
});
