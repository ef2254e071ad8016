/**
 * "Modified software" on a device, for the real-browser trust tests (issue 8 point 12, protocol
 * §23): a change the device's screens would never make is crafted in this test process with the
 * project's own encoders, signed in the page with the device's own non-extractable key (page
 * code may use it, never read it), and written straight into the device's IndexedDB, as malicious
 * code running on that device could. The device then offers it to its peers like any change it
 * stored: on its next reconciliation after a reload, or at once when a "second tab" says it
 * stored it.
 */
import type { Page } from '@playwright/test';
import * as Y from 'yjs';
import { docKind, type DocId } from '../../../src/crdt/doc-id';
import { reachOf } from '../../../src/crdt/trust/change-signer';
import { deviceClientIds } from '../../../src/crdt/trust/client-ids';
import { deviceIdFromPublicKey } from '../../../src/crdt/trust/device-key';
import { toB64url } from '../../../src/crdt/trust/encoding';
import {
  changeSigningBytes,
  decodeSignedChange,
  encodeSignedChange,
} from '../../../src/crdt/trust/signed-change';
import type { PublicKeyB64 } from '../../../src/crdt/trust/types';
import type { StoredChange } from '../../../src/crdt/ports';
import type { DeviceId } from '../../../src/domain/types';
import {
  resolveUpdates,
  unpack,
  type ChangeRecord,
  type PackRecord,
  type UpdateRecord,
} from '../../../src/storage/compaction-dexie';

/** The app's records database and the device key's own database (create-app.ts). */
const RECORDS_DB = 'pamoja';
const KEYS_DB = 'pamoja-keys';

export interface Identity {
  deviceId: DeviceId;
  publicKey: PublicKeyB64;
  /** SC13: the Yjs client ids the device may write under, in lease order. */
  clientIds: number[];
}

/**
 * A client id of the device that no live tab holds: tabs lease the ids in order from the first
 * (client-id-lease.ts), so the last ones stay free while the device has one tab open.
 */
export const spareClientId = (identity: Identity, fromEnd = 0): number =>
  identity.clientIds[identity.clientIds.length - 1 - fromEnd]!;

/** A signed change as the repository stores it (ports.ts `StoredChange`). */
export interface CraftedChange {
  docId: DocId;
  update: Uint8Array;
  id: string;
  bytes: Uint8Array;
  reach: Uint8Array;
}

const bytesOf = (numbers: number[]) => Uint8Array.from(numbers);
const numbersOf = (bytes: Uint8Array) => Array.from(bytes);
export const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The device's public key (the vault's record) and what follows from it. */
export async function identityOf(page: Page): Promise<Identity> {
  const publicKey = await page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open'));
    });
    try {
      const record = await new Promise<{ publicKey: string }>((resolve, reject) => {
        const request = db.transaction('keys').objectStore('keys').get('device');
        request.onsuccess = () => resolve(request.result as { publicKey: string });
        request.onerror = () => reject(request.error ?? new Error('get'));
      });
      return record.publicKey;
    } finally {
      db.close();
    }
  }, KEYS_DB);
  const key = publicKey as PublicKeyB64;
  return {
    publicKey: key,
    deviceId: await deviceIdFromPublicKey(key),
    clientIds: await deviceClientIds(key),
  };
}

/** A row as IndexedDB holds it, with byte fields as plain arrays to cross from the page. */
type Wire<T> = { [K in keyof T]: T[K] extends Uint8Array ? number[] : T[K] };

interface RawRows {
  updates: Wire<UpdateRecord>[];
  changes: Wire<ChangeRecord>[];
  packs: Wire<PackRecord>[];
  stateVector: number[] | undefined;
}

/** Every row the device stored for a document, in stored (seq) order, as IndexedDB holds it. */
async function rawRows(page: Page, docId: DocId): Promise<RawRows> {
  return page.evaluate(
    async ({ name, docId }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('open'));
      });
      try {
        // Schema 3 added `packs` (decision 0023); an older database has none.
        const stores = ['updates', 'changes', 'packs', 'docs'].filter((store) =>
          db.objectStoreNames.contains(store),
        );
        const tx = db.transaction(stores);
        const plain = (row: Record<string, unknown>) =>
          Object.fromEntries(
            Object.entries(row).map(([key, value]) => [
              key,
              value instanceof Uint8Array ? Array.from(value) : value,
            ]),
          );
        const all = (store: string) =>
          !stores.includes(store)
            ? Promise.resolve([])
            : new Promise<Record<string, unknown>[]>((resolve, reject) => {
                const request = tx
                  .objectStore(store)
                  .index('docId')
                  .getAll(IDBKeyRange.only(docId));
                request.onsuccess = () =>
                  resolve(
                    (request.result as Record<string, unknown>[])
                      .sort((x, y) => (x.seq as number) - (y.seq as number))
                      .map(plain),
                  );
                request.onerror = () => reject(request.error ?? new Error('getAll'));
              });
        const info = new Promise<{ stateVector: Uint8Array } | undefined>((resolve, reject) => {
          const request = tx.objectStore('docs').get(docId);
          request.onsuccess = () => resolve(request.result as { stateVector: Uint8Array });
          request.onerror = () => reject(request.error ?? new Error('get'));
        });
        const [updates, changes, packs, doc] = await Promise.all([
          all('updates'),
          all('changes'),
          all('packs'),
          info,
        ]);
        return {
          updates,
          changes,
          packs,
          stateVector: doc ? Array.from(doc.stateVector) : undefined,
        } as unknown as RawRows;
      } finally {
        db.close();
      }
    },
    { name: RECORDS_DB, docId },
  );
}

const fromWire = <T>(row: Wire<T>): T =>
  Object.fromEntries(
    Object.entries(row as Record<string, unknown>).map(([key, value]) => [
      key,
      Array.isArray(value) && key !== 'tails' ? bytesOf(value as number[]) : value,
    ]),
  ) as T;

/** The stored rows read as the store reads them (stored-forms.ts): refs, packs, deflated rows. */
async function storedRows(page: Page, docId: DocId) {
  const raw = await rawRows(page, docId);
  const live = raw.changes.map((row) => fromWire<ChangeRecord>(row));
  const packs = raw.packs.map((row) => fromWire<PackRecord>(row));
  const packed: StoredChange[] = [];
  for (const pack of packs) packed.push(...(await unpack(pack)));
  const seen = new Set<string>();
  const changes = [...packed, ...live].filter(
    (change) => !seen.has(change.id) && seen.add(change.id),
  );
  const updates = await resolveUpdates(
    raw.updates.map((row) => fromWire<UpdateRecord>(row)),
    new Map(live.map((change) => [change.id, change])),
    new Map(packs.map((pack) => [pack.seq!, pack])),
  );
  return { updates, changes, stateVector: raw.stateVector };
}

/** The document as the device stored it, rebuilt here from its stored updates. */
export async function storedDoc(page: Page, docId: DocId): Promise<Y.Doc> {
  const doc = new Y.Doc();
  for (const update of (await storedRows(page, docId)).updates) Y.applyUpdate(doc, update);
  return doc;
}

/** The signed changes the device stored for a document: id, author and bytes (hex). */
export async function storedChanges(
  page: Page,
  docId: DocId,
): Promise<{ id: string; author: DeviceId; hex: string }[]> {
  return (await storedRows(page, docId)).changes.map(({ id, bytes }) => {
    const decoded = decodeSignedChange(bytes);
    if (!decoded.ok) throw new Error(`a stored change of ${docId} does not decode`);
    return { id, author: decoded.value.author, hex: hexOf(bytes) };
  });
}

/** The update `edit` makes on a copy of `base`, written under Yjs client `clientId`. */
export function updateOn(base: Y.Doc, clientId: number, edit: (doc: Y.Doc) => void): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(base));
  // Set after loading, as the repository does (D17): Yjs would otherwise pick another id.
  copy.clientID = clientId;
  let update: Uint8Array | undefined;
  copy.on('update', (u: Uint8Array) => (update = u));
  copy.transact(() => edit(copy));
  if (!update) throw new Error('the edit changed nothing');
  return update;
}

/** Signs `data` in the page with the device's own private key (the vault's CryptoKeyPair). */
async function signInPage(page: Page, data: Uint8Array): Promise<Uint8Array> {
  const signature = await page.evaluate(
    async ({ name, data }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('open'));
      });
      try {
        const record = await new Promise<{ algorithm: string; pair: CryptoKeyPair }>(
          (resolve, reject) => {
            const request = db.transaction('keys').objectStore('keys').get('device');
            request.onsuccess = () =>
              resolve(request.result as { algorithm: string; pair: CryptoKeyPair });
            request.onerror = () => reject(request.error ?? new Error('get'));
          },
        );
        const params =
          record.algorithm === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };
        const signed = await crypto.subtle.sign(
          params,
          record.pair.privateKey,
          Uint8Array.from(data),
        );
        return Array.from(new Uint8Array(signed));
      } finally {
        db.close();
      }
    },
    { name: KEYS_DB, data: numbersOf(data) },
  );
  return bytesOf(signature);
}

/**
 * `update` as a change authored by `author`, signed in `signerPage` (the author's own device).
 * `forge` flips one bit of the signature, so it no longer verifies (SC7).
 */
export async function signedChange(
  signerPage: Page,
  author: Identity,
  docId: DocId,
  update: Uint8Array,
  options: { forge?: boolean } = {},
): Promise<CraftedChange> {
  const unsigned = { docId, author: author.deviceId, update };
  const signature = await signInPage(signerPage, changeSigningBytes(unsigned));
  if (options.forge) signature[signature.length - 1] = signature[signature.length - 1]! ^ 0x01;
  const bytes = encodeSignedChange({ ...unsigned, signature });
  return { docId, update, id: toB64url(signature), bytes, reach: reachOf(update) };
}

/** The stored state vector with every crafted change's clocks merged in (per client, the larger). */
function mergedStateVector(stored: number[] | undefined, changes: CraftedChange[]): Uint8Array {
  const clocks = stored ? Y.decodeStateVector(bytesOf(stored)) : new Map<number, number>();
  for (const change of changes) {
    for (const [client, clock] of Y.decodeStateVector(change.reach)) {
      clocks.set(client, Math.max(clocks.get(client) ?? 0, clock));
    }
  }
  return Y.encodeStateVector(clocks);
}

/**
 * Writes crafted changes into the device's IndexedDB as the app's own commit would (dexie-store
 * `commitInOneTransaction`): each update and its signed change, and the document's info with
 * the merged state vector, all in one readwrite transaction. With `announce`, also tells the
 * device's open tab, as another tab of the device would (stored-signal.ts), so it forwards the
 * changes to its peers at once; otherwise the device offers them after its next reload.
 */
export async function plant(
  page: Page,
  changes: CraftedChange[],
  options: { announce?: boolean } = {},
): Promise<void> {
  const docIds = [...new Set(changes.map((change) => change.docId))];
  const infos: { docId: DocId; kind: string; stateVector: number[] }[] = [];
  for (const docId of docIds) {
    const stored = (await storedRows(page, docId)).stateVector;
    const own = changes.filter((change) => change.docId === docId);
    infos.push({
      docId,
      kind: docKind(docId),
      stateVector: numbersOf(mergedStateVector(stored, own)),
    });
  }
  await page.evaluate(
    async ({ name, rows, infos, announce }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('open'));
      });
      try {
        const tx = db.transaction(['updates', 'changes', 'docs'], 'readwrite');
        const done = new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error ?? new Error('write'));
          tx.onabort = () => reject(tx.error ?? new Error('aborted'));
        });
        const updatedAt = new Date().toISOString();
        for (const row of rows) {
          // Dexie stores Uint8Arrays as they are; `seq` is the auto-incremented key.
          tx.objectStore('updates').add({ docId: row.docId, bytes: Uint8Array.from(row.update) });
          tx.objectStore('changes').add({
            docId: row.docId,
            id: row.id,
            bytes: Uint8Array.from(row.bytes),
            reach: Uint8Array.from(row.reach),
          });
        }
        const docs = tx.objectStore('docs');
        for (const info of infos) {
          const read = docs.get(info.docId);
          read.onsuccess = () => {
            const previous = read.result as { updateCount?: number } | undefined;
            const added = rows.filter((row) => row.docId === info.docId).length;
            docs.put({
              ...previous,
              docId: info.docId,
              kind: info.kind,
              stateVector: Uint8Array.from(info.stateVector),
              updateCount: (previous?.updateCount ?? 0) + added,
              updatedAt,
            });
          };
        }
        await done;
      } finally {
        db.close();
      }
      if (announce) {
        const channel = new BroadcastChannel(`pamoja-stored:${name}`);
        channel.postMessage(
          rows.map((row) => ({
            docId: row.docId,
            update: Uint8Array.from(row.update),
            changes: [
              {
                id: row.id,
                bytes: Uint8Array.from(row.bytes),
                reach: Uint8Array.from(row.reach),
              },
            ],
          })),
        );
        channel.close();
      }
    },
    {
      name: RECORDS_DB,
      rows: changes.map((change) => ({
        docId: change.docId,
        update: numbersOf(change.update),
        id: change.id,
        bytes: numbersOf(change.bytes),
        reach: numbersOf(change.reach),
      })),
      infos,
      announce: options.announce ?? false,
    },
  );
}
