/**
 * IndexedDB adapter of the `DeviceKeyVault` port (K13, K14). The CryptoKeyPair object itself is
 * stored: IndexedDB's structured clone keeps a non-extractable key non-extractable, so the private
 * key is never turned into bytes. It lives in its own small database, apart from the records, so
 * an export or a wipe of the records database never touches it.
 */
import type { DeviceKeyVault, StoredDeviceKey } from '../crdt/trust/device-key';

export const DEVICE_KEY_DATABASE = 'pamoja-keys';
const STORE = 'keys';
const RECORD_KEY = 'device';
const VERSION = 1;

export interface IndexedDbDeviceKeyVaultOptions {
  /** Database name; tests give each vault its own. */
  name?: string;
  /** IndexedDB engine; defaults to the browser's. */
  indexedDB?: IDBFactory;
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB write failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB write aborted'));
  });
}

function isStoredDeviceKey(value: unknown): value is StoredDeviceKey {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<StoredDeviceKey>;
  return (
    (record.algorithm === 'Ed25519' || record.algorithm === 'P-256') &&
    typeof record.publicKey === 'string' &&
    typeof record.pair === 'object' &&
    record.pair !== null &&
    record.pair.privateKey instanceof CryptoKey &&
    record.pair.publicKey instanceof CryptoKey
  );
}

export function createIndexedDbDeviceKeyVault(
  options: IndexedDbDeviceKeyVaultOptions = {},
): DeviceKeyVault {
  const name = options.name ?? DEVICE_KEY_DATABASE;

  async function withDatabase<T>(body: (db: IDBDatabase) => Promise<T>): Promise<T> {
    const factory = options.indexedDB ?? globalThis.indexedDB;
    const request = factory.open(name, VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    const db = await requestResult(request);
    // The key is read once per tab start: no reason to hold a connection open and block upgrades.
    try {
      return await body(db);
    } finally {
      db.close();
    }
  }

  return {
    load: () =>
      withDatabase(async (db) => {
        const value: unknown = await requestResult<unknown>(
          db.transaction(STORE, 'readonly').objectStore(STORE).get(RECORD_KEY),
        );
        if (value === undefined) return undefined;
        // A record that is not a key pair must not read as "no key": a new key is a new identity.
        if (!isStoredDeviceKey(value)) throw new Error('stored device key is malformed');
        return value;
      }),
    save: (key) =>
      withDatabase(async (db) => {
        // Strict durability: the key must survive a power cut once setup says it is made.
        const transaction = db.transaction(STORE, 'readwrite', { durability: 'strict' });
        const done = transactionDone(transaction);
        const store = transaction.objectStore(STORE);
        // Read and add in one readwrite transaction: IndexedDB runs these one at a time across
        // tabs, so the first key saved stays and a second setup never replaces it (K14).
        const existing = store.get(RECORD_KEY);
        existing.onsuccess = () => {
          if (existing.result === undefined) store.add(key, RECORD_KEY);
        };
        await done;
      }),
  };
}
