import { afterEach, describe, expect, it, vi } from 'vitest';
import Dexie from 'dexie';
import { IDBFactory as FakeIDBFactory, IDBKeyRange as FakeIDBKeyRange } from 'fake-indexeddb';
import { StorageError } from '../../../src/crdt/ports';
import { createDexieStore, DEXIE_SCHEMA_VERSION } from '../../../src/storage/dexie-store';
import { runDocumentStoreConformance } from './conformance';
import {
  content,
  ctc,
  directoryRow,
  facilityA,
  PatientDocFixture,
  patientRow,
  rebuild,
} from './fixtures';

let databases = 0;
const freshName = () => `pamoja-test-${(databases += 1)}`;

runDocumentStoreConformance('dexie store', ({ clock }) => {
  const store = createDexieStore({ name: freshName(), clock });
  return Promise.resolve({ store, teardown: () => store.delete() });
});

const person = { ctcId: ctc(facilityA, 1), givenName: 'Zaïtuni', familyName: 'Mwakyusa' };

function registration() {
  const fixture = new PatientDocFixture(person.ctcId);
  const write = fixture.write(fixture.setField('givenName', person.givenName), {
    projection: { patient: patientRow(person), directoryUpserts: [directoryRow(person)] },
    meta: [{ key: 'ctc-serial', value: 2 }],
  });
  return { fixture, write };
}

async function caught(promise: Promise<unknown>): Promise<StorageError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StorageError);
  return error as StorageError;
}

describe('dexie store', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('commits with strict durability and resolves only after the transaction completed', async () => {
    const store = createDexieStore({ name: freshName() });
    // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply in the mock
    const original = IDBDatabase.prototype.transaction;
    const seen: Array<{ mode: unknown; durability: unknown; completed: () => boolean }> = [];
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (
      this: IDBDatabase,
      ...args: Parameters<IDBDatabase['transaction']>
    ) {
      const transaction = original.apply(this, args);
      let completed = false;
      transaction.addEventListener('complete', () => {
        completed = true;
      });
      seen.push({ mode: args[1], durability: args[2]?.durability, completed: () => completed });
      return transaction;
    });
    // Dexie binds IDBDatabase#transaction when it opens, so the spy must be in place first.
    await store.open();

    await store.commit(registration().write);

    const writes = seen.filter((entry) => entry.mode === 'readwrite');
    expect(writes).toHaveLength(1);
    expect(writes[0]?.durability).toBe('strict');
    expect(writes[0]?.completed()).toBe(true);
    await store.delete();
  });

  it('reports a full disk in the middle of a commit as quota-exceeded and keeps nothing of it', async () => {
    const store = createDexieStore({ name: freshName() });
    // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply in the mock
    const original = IDBObjectStore.prototype.put;
    // The update and document info are already written when the patient row hits the quota.
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      if (this.name === 'patients') {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return original.apply(this, args);
    });
    const { fixture, write } = registration();

    const error = await caught(store.commit(write));

    expect(error.code).toBe('quota-exceeded');
    vi.restoreAllMocks();
    expect(await store.loadUpdates(fixture.docId)).toEqual([]);
    expect(await store.getDocInfo(fixture.docId)).toBeUndefined();
    expect(await store.getPatientRow(person.ctcId)).toBeUndefined();
    expect(await store.getDirectoryRow(person.ctcId)).toBeUndefined();
    expect(await store.getMeta('ctc-serial')).toBeUndefined();
    // The same save succeeds once there is room again.
    await store.commit(write);
    expect(await store.loadUpdates(fixture.docId)).toHaveLength(1);
    await store.delete();
  });

  it('reports a quota failure that aborts the transaction at commit time', async () => {
    const store = createDexieStore({ name: freshName() });
    // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply in the mock
    const original = IDBDatabase.prototype.transaction;
    // As Chrome does when the disk fills while committing: every request succeeded, then the
    // transaction aborts with a QuotaExceededError as its error.
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (
      this: IDBDatabase,
      ...args: Parameters<IDBDatabase['transaction']>
    ) {
      const transaction = original.apply(this, args);
      if (args[1] !== 'readwrite') return transaction;
      const realObjectStore = transaction.objectStore.bind(transaction);
      transaction.objectStore = (name: string) => {
        const objectStore = realObjectStore(name);
        if (name !== 'meta') return objectStore;
        const realPut = objectStore.put.bind(objectStore);
        objectStore.put = (...putArgs: Parameters<IDBObjectStore['put']>) => {
          const request = realPut(...putArgs);
          request.addEventListener('success', () => {
            (transaction as { error: DOMException | null }).error = new DOMException(
              'Quota exceeded',
              'QuotaExceededError',
            );
            transaction.abort();
          });
          return request;
        };
        return objectStore;
      };
      return transaction;
    });
    await store.open();
    const { fixture, write } = registration();

    const error = await caught(store.commit(write));

    expect(error.code).toBe('quota-exceeded');
    vi.restoreAllMocks();
    expect(await store.loadUpdates(fixture.docId)).toEqual([]);
    expect(await store.getPatientRow(person.ctcId)).toBeUndefined();
    await store.delete();
  });

  it('reports other failures as write-failed', async () => {
    const store = createDexieStore({ name: freshName() });
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('Disk I/O error', 'UnknownError');
    });
    const { fixture, write } = registration();
    expect((await caught(store.commit(write))).code).toBe('write-failed');
    vi.restoreAllMocks();
    expect(await store.listDocs()).toEqual([]);
    expect(await store.loadUpdates(fixture.docId)).toEqual([]);
    await store.delete();
  });

  it('keeps every document, row and setting across closing and reopening', async () => {
    const name = freshName();
    const first = createDexieStore({ name });
    const { fixture, write } = registration();
    await first.commit(write);
    await first.commit(fixture.write(fixture.addVisit('2025-02-01', 61)));
    await first.setMeta('device', { slot: 4 });
    await first.close();

    const reopened = createDexieStore({ name });
    expect(content(rebuild(await reopened.loadUpdates(fixture.docId)))).toEqual(
      content(fixture.doc),
    );
    expect((await reopened.getDocInfo(fixture.docId))?.updateCount).toBe(2);
    expect((await reopened.searchPatients('zai', 5)).map((row) => row.ctcId)).toEqual([
      person.ctcId,
    ]);
    expect(await reopened.getMeta('device')).toEqual({ slot: 4 });
    await reopened.delete();

    const afterDelete = createDexieStore({ name });
    expect(await afterDelete.listDocs()).toEqual([]);
    await afterDelete.delete();
  });

  it('keeps all documents in one database at the current schema version', async () => {
    const name = freshName();
    const store = createDexieStore({ name });
    await store.commit(registration().write);
    const second = new PatientDocFixture(ctc(facilityA, 2));
    await store.commit(second.write(second.setField('givenName', 'Baraka')));
    await store.close();

    const names = (await Dexie.getDatabaseNames()).filter((db) => db.startsWith(name));
    expect(names).toEqual([name]);
    const raw = new Dexie(name);
    await raw.open();
    expect(raw.verno).toBe(DEXIE_SCHEMA_VERSION);
    expect(raw.tables.map((table) => table.name).sort()).toEqual([
      'directory',
      'docs',
      'meta',
      'patients',
      'updates',
    ]);
    raw.close();
    await Dexie.delete(name);
  });

  it('reports an IndexedDB that cannot be opened as storage-unavailable', async () => {
    const broken = {
      open() {
        throw new DOMException('IndexedDB is disabled in this window', 'SecurityError');
      },
    } as unknown as IDBFactory;
    const store = createDexieStore({ name: freshName(), indexedDB: broken });
    expect((await caught(store.open())).code).toBe('storage-unavailable');
    expect((await caught(store.commit(registration().write))).code).toBe('storage-unavailable');
    expect((await caught(store.loadUpdates(registration().fixture.docId))).code).toBe(
      'storage-unavailable',
    );
  });

  it('reports operations after close as storage-unavailable', async () => {
    const store = createDexieStore({ name: freshName() });
    await store.open();
    await store.close();
    expect((await caught(store.commit(registration().write))).code).toBe('storage-unavailable');
  });

  it('D10 tells the other connections to the same database (other tabs) what was committed, not itself', async () => {
    const idb = new FakeIDBFactory();
    const name = freshName();
    const tabA = createDexieStore({ name, indexedDB: idb, IDBKeyRange: FakeIDBKeyRange });
    const tabB = createDexieStore({ name, indexedDB: idb, IDBKeyRange: FakeIDBKeyRange });
    const otherDevice = createDexieStore({
      name,
      indexedDB: new FakeIDBFactory(),
      IDBKeyRange: FakeIDBKeyRange,
    });
    const heard: Record<string, string[]> = { a: [], b: [], other: [] };
    tabA.onForeignCommit?.((docId) => heard.a?.push(docId));
    tabB.onForeignCommit?.((docId, update) => heard.b?.push(`${docId}:${update.byteLength}`));
    otherDevice.onForeignCommit?.((docId) => heard.other?.push(docId));
    const { fixture, write } = registration();
    await tabA.commitMany([write]);
    for (let i = 0; i < 100 && heard.b?.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(heard).toEqual({
      a: [],
      b: [`${fixture.docId}:${write.update.byteLength}`],
      other: [],
    });
    await Promise.all([tabA.delete(), tabB.close(), otherDevice.delete()]);
  });
});
