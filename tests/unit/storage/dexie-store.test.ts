import { afterEach, describe, expect, it, vi } from 'vitest';
import Dexie from 'dexie';
import { IDBFactory as FakeIDBFactory, IDBKeyRange as FakeIDBKeyRange } from 'fake-indexeddb';
import { StorageError, type StoredChange } from '../../../src/crdt/ports';
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
      'changes',
      'directory',
      'docs',
      'meta',
      'packs',
      'patients',
      'updates',
    ]);
    raw.close();
    await Dexie.delete(name);
  });

  it('SC21 upgrades a database of schema 1 and keeps its updates, rows and settings', async () => {
    const name = freshName();
    const { fixture, write } = registration();
    const v1 = new Dexie(name);
    v1.version(1).stores({
      updates: '++seq, docId',
      docs: 'docId, kind',
      patients: 'ctcId, *nameTokens, phoneDigits, nextAppointment, status, lastVisitDate',
      directory: 'ctcId, *nameTokens, facilityCode',
      meta: 'key',
    });
    await v1.table('updates').add({ docId: fixture.docId, bytes: write.update });
    await v1.table('docs').put({
      docId: fixture.docId,
      kind: 'patient',
      stateVector: write.stateVector,
      updateCount: 1,
      updatedAt: '2025-02-01T09:30:00.000Z',
    });
    await v1.table('patients').put(patientRow(person));
    await v1.table('meta').put({ key: 'ctc-serial', value: 2 });
    v1.close();

    const store = createDexieStore({ name });
    expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(content(fixture.doc));
    expect((await store.getDocInfo(fixture.docId))?.updateCount).toBe(1);
    expect((await store.getPatientRow(person.ctcId))?.givenName).toBe(person.givenName);
    expect(await store.getMeta('ctc-serial')).toBe(2);
    expect(await store.loadChanges(fixture.docId)).toEqual([]);
    const change = { id: 'sig-a', bytes: new Uint8Array([1, 2]), reach: write.stateVector };
    await store.commit(fixture.write(fixture.addVisit('2025-02-01', 60), { changes: [change] }));
    expect((await store.loadChanges(fixture.docId)).map((c) => c.id)).toEqual(['sig-a']);
    await store.delete();
  });

  it('SC21 stores nothing of a commit whose change cannot be stored (a full disk)', async () => {
    const store = createDexieStore({ name: freshName() });
    // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply in the mock
    const original = IDBObjectStore.prototype.add;
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['add']>
    ) {
      if (this.name === 'changes') {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return original.apply(this, args);
    });
    const { fixture, write } = registration();
    const change = { id: 'sig-a', bytes: new Uint8Array([1]), reach: write.stateVector };

    const error = await caught(store.commit({ ...write, changes: [change] }));

    expect(error.code).toBe('quota-exceeded');
    vi.restoreAllMocks();
    expect(await store.loadUpdates(fixture.docId)).toEqual([]);
    expect(await store.loadChanges(fixture.docId)).toEqual([]);
    expect(await store.getDocInfo(fixture.docId)).toBeUndefined();
    await store.delete();
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

  it('SC21 D10 tells the other tabs the signed changes of a commit, byte for byte', async () => {
    const idb = new FakeIDBFactory();
    const name = freshName();
    const tabA = createDexieStore({ name, indexedDB: idb, IDBKeyRange: FakeIDBKeyRange });
    const tabB = createDexieStore({ name, indexedDB: idb, IDBKeyRange: FakeIDBKeyRange });
    const heard: Array<{ docId: string; changes: readonly StoredChange[] }> = [];
    tabB.onForeignCommit?.((docId, _update, changes) => heard.push({ docId, changes }));
    const { fixture, write } = registration();
    const padded = new Uint8Array(32).fill(7);
    padded.set([1, 2, 3], 8);
    const changes = [
      { id: 'sig-a', bytes: padded.subarray(8, 11), reach: write.stateVector },
      { id: 'sig-b', bytes: new Uint8Array([4]), reach: write.stateVector },
    ];
    await tabA.commit({ ...write, changes });
    await tabA.commit(fixture.write(fixture.addVisit('2025-02-01', 60)));
    for (let i = 0; i < 100 && heard.length < 2; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(heard.map(({ docId }) => docId)).toEqual([fixture.docId, fixture.docId]);
    expect(
      heard[0]?.changes.map(({ id, bytes, reach }) => ({
        id,
        bytes: [...bytes],
        reach: [...reach],
      })),
    ).toEqual(
      changes.map(({ id, bytes, reach }) => ({ id, bytes: [...bytes], reach: [...reach] })),
    );
    expect(heard[0]?.changes[0]?.bytes.buffer.byteLength).toBe(3);
    expect(heard[1]?.changes).toEqual([]);
    await Promise.all([tabA.delete(), tabB.close()]);
  });

  it('D10 hears a message of a tab on an older build (no changes) with no changes', async () => {
    const name = freshName();
    const store = createDexieStore({ name });
    const heard: Array<{ docId: string; update: number[]; changes: readonly StoredChange[] }> = [];
    store.onForeignCommit?.((docId, update, changes) =>
      heard.push({ docId, update: [...update], changes }),
    );
    const { fixture } = registration();
    const olderTab = new BroadcastChannel(`pamoja-stored:${name}`);
    olderTab.postMessage([{ docId: fixture.docId, update: new Uint8Array([5, 6]) }]);
    for (let i = 0; i < 100 && heard.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(heard).toEqual([{ docId: fixture.docId, update: [5, 6], changes: [] }]);
    olderTab.close();
    await store.delete();
  });
});
