/**
 * The baselines of the app benchmark, on IndexedDB with no library in between: a strict-durability
 * put, one `getAll` of the stores start-up needs, and the byte count of every stored record.
 */

const request = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });

const done = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });

/** Opens an existing database at its current version (no upgrade). */
export function openExisting(name: string): Promise<IDBDatabase> {
  return request(indexedDB.open(name));
}

let rawDb: Promise<IDBDatabase> | undefined;
let rawSeq = 0;
const payload = crypto.getRandomValues(new Uint8Array(1200));

/** The save baseline: one record (about a signed visit change's size) in a strict transaction. */
export async function strictPut(): Promise<number> {
  rawDb ??= new Promise((resolve, reject) => {
    const open = indexedDB.open('bench-raw-put', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('puts', { keyPath: 'id' });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error ?? new Error('open failed'));
  });
  const db = await rawDb;
  const start = performance.now();
  const tx = db.transaction('puts', 'readwrite', { durability: 'strict' });
  rawSeq += 1;
  tx.objectStore('puts').put({ id: rawSeq, docId: `patient:${rawSeq}`, bytes: payload });
  await done(tx);
  return performance.now() - start;
}

/**
 * Stores start-up may need: every store but those holding document content (`updates`,
 * `changes`), which the app reads per document as it opens one.
 */
export function startupStores(db: IDBDatabase): string[] {
  return [...db.objectStoreNames].filter((name) => name !== 'updates' && name !== 'changes');
}

/** The cold-start baseline: one `getAll` of each start-up store, in one transaction. */
export async function readStartupStores(name: string): Promise<{ rows: number; stores: string[] }> {
  const db = await openExisting(name);
  const stores = startupStores(db);
  const tx = db.transaction(stores, 'readonly');
  const all = await Promise.all(stores.map((store) => request(tx.objectStore(store).getAll())));
  db.close();
  return { rows: all.reduce((sum, rows) => sum + rows.length, 0), stores };
}

export async function getAllOf(name: string, store: string): Promise<unknown[]> {
  const db = await openExisting(name);
  try {
    if (!db.objectStoreNames.contains(store)) return [];
    const rows: unknown[] = await request(
      db.transaction(store, 'readonly').objectStore(store).getAll(),
    );
    return rows;
  } finally {
    db.close();
  }
}

export async function countOf(name: string, store: string): Promise<number> {
  const db = await openExisting(name);
  try {
    if (!db.objectStoreNames.contains(store)) return 0;
    return await request(db.transaction(store, 'readonly').objectStore(store).count());
  } finally {
    db.close();
  }
}

/**
 * A stored record's size: every binary field (Uint8Array, ArrayBuffer) by its byteLength, the
 * rest by the length of its JSON with binaries left out; an out-of-line key adds its JSON.
 */
export function recordBytes(value: unknown, key?: IDBValidKey): number {
  let binary = 0;
  const json = JSON.stringify(value, (_field, v: unknown) => {
    if (v instanceof Uint8Array || v instanceof ArrayBuffer) {
      binary += v.byteLength;
      return 0;
    }
    return v;
  });
  return binary + (json?.length ?? 0) + (key === undefined ? 0 : JSON.stringify(key).length);
}

/** Bytes of every record of every store of a database, per store (recordBytes). */
export async function databaseBytes(name: string): Promise<Record<string, number>> {
  const db = await openExisting(name);
  const sizes: Record<string, number> = {};
  try {
    for (const storeName of db.objectStoreNames) {
      const store = db.transaction(storeName, 'readonly').objectStore(storeName);
      const inline = store.keyPath !== null;
      const [values, keys] = await Promise.all([
        request(store.getAll()),
        request(store.getAllKeys()),
      ]);
      sizes[storeName] = values.reduce<number>(
        (sum, value, i) => sum + recordBytes(value, inline ? undefined : keys[i]),
        0,
      );
    }
  } finally {
    db.close();
  }
  return sizes;
}
