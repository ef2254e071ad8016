import { describe, expect, it } from 'vitest';
import { IDBFactory as FakeIDBFactory } from 'fake-indexeddb';
import {
  loadOrCreateDeviceKey,
  webCryptoVerifier,
  type DeviceKey,
  type DeviceKeyVault,
} from '../../../src/crdt/trust/device-key';
import { utf8 } from '../../../src/crdt/trust/encoding';
import type { KeyAlgorithm } from '../../../src/crdt/trust/types';
import {
  createIndexedDbDeviceKeyVault,
  DEVICE_KEY_DATABASE,
} from '../../../src/storage/device-key-vault';

// fake-indexeddb clones with Node's structuredClone, which carries a CryptoKey across (checked in
// the first test), so the stored pair here is the real non-extractable key, as in a browser.
const data = utf8('register row 07-01-0100-2026-00012');

async function loaded(vault: DeviceKeyVault, algorithm?: KeyAlgorithm): Promise<DeviceKey> {
  const result = await loadOrCreateDeviceKey(vault, algorithm ? { algorithm } : {});
  if (!result.ok) throw new Error(`expected a key, got ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('IndexedDB device key vault', () => {
  it.each<KeyAlgorithm>(['Ed25519', 'P-256'])(
    'K13: the key survives a restart and still signs as the device (%s)',
    async (algorithm) => {
      const indexedDB = new FakeIDBFactory();
      const first = await loaded(createIndexedDbDeviceKeyVault({ indexedDB }), algorithm);

      // A restart: a new vault (new connection) over the same database.
      const vault = createIndexedDbDeviceKeyVault({ indexedDB });
      const stored = await vault.load();
      expect(stored?.pair.privateKey).toBeInstanceOf(CryptoKey);
      const again = await loaded(vault);
      expect(again.publicKey).toBe(first.publicKey);
      expect(again.algorithm).toBe(algorithm);

      const signature = await again.sign(data);
      expect(await webCryptoVerifier.verify(first.publicKey, algorithm, signature, data)).toBe(
        true,
      );
    },
  );

  it('K10: the private key read back from storage still cannot be exported', async () => {
    const indexedDB = new FakeIDBFactory();
    await loaded(createIndexedDbDeviceKeyVault({ indexedDB }));
    const stored = await createIndexedDbDeviceKeyVault({ indexedDB }).load();
    const privateKey = stored!.pair.privateKey;
    expect(privateKey.extractable).toBe(false);
    for (const format of ['pkcs8', 'jwk', 'raw'] as const) {
      await expect(crypto.subtle.exportKey(format, privateKey)).rejects.toThrow();
    }
  });

  it('K14: two tabs setting up at once end with one identity', async () => {
    const indexedDB = new FakeIDBFactory();
    const [a, b] = await Promise.all([
      loaded(createIndexedDbDeviceKeyVault({ indexedDB })),
      loaded(createIndexedDbDeviceKeyVault({ indexedDB })),
    ]);
    expect(a.publicKey).toBe(b.publicKey);
    const stored = await createIndexedDbDeviceKeyVault({ indexedDB }).load();
    expect(stored?.publicKey).toBe(a.publicKey);
  });

  it('K14: saving never replaces a stored key', async () => {
    const indexedDB = new FakeIDBFactory();
    const vault = createIndexedDbDeviceKeyVault({ indexedDB });
    const first = await loaded(vault);
    const intruder = await loaded(
      createIndexedDbDeviceKeyVault({ indexedDB: new FakeIDBFactory() }),
    );
    await vault.save({
      algorithm: intruder.algorithm,
      publicKey: intruder.publicKey,
      pair: { privateKey: intruder.privateKey, publicKey: intruder.publicCryptoKey },
    });
    expect((await vault.load())?.publicKey).toBe(first.publicKey);
  });

  it('K13: a malformed stored record is reported, not taken for "no key"', async () => {
    const indexedDB = new FakeIDBFactory();
    const vault = createIndexedDbDeviceKeyVault({ indexedDB });
    await vault.load(); // creates the database and its store
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open(DEVICE_KEY_DATABASE, 1);
      open.onerror = () => reject(open.error ?? new Error('open failed'));
      open.onsuccess = () => {
        const tx = open.result.transaction('keys', 'readwrite');
        tx.objectStore('keys').put({ algorithm: 'Ed25519', publicKey: 'x' }, 'device');
        tx.oncomplete = () => {
          open.result.close();
          resolve();
        };
      };
    });
    const result = await loadOrCreateDeviceKey(vault);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.type).toBe('vault-failed');
  });

  it('K13: keeps the key in its own database, apart from the records', async () => {
    const indexedDB = new FakeIDBFactory();
    await loaded(createIndexedDbDeviceKeyVault({ indexedDB }));
    const names = (await indexedDB.databases()).map((db) => db.name);
    expect(names).toEqual([DEVICE_KEY_DATABASE]);
    expect(DEVICE_KEY_DATABASE).toBe('pamoja-keys');
  });
});
