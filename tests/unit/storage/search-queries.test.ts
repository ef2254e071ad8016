import { IDBFactory as FakeIDBFactory, IDBKeyRange as FakeIDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { patientDocId } from '../../../src/crdt/doc-id';
import { createDexieStore } from '../../../src/storage/dexie-store';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { withSearchIndex } from '../../../src/storage/search-queries';
import { createStoredSignal } from '../../../src/storage/stored-signal';
import {
  ctc,
  directoryRow,
  facilityA,
  facilityB,
  PatientDocFixture,
  patientRow,
  registerWrite,
  type PersonInput,
} from './fixtures';

let databases = 0;
const freshName = () => `pamoja-search-test-${(databases += 1)}`;

function registration(person: PersonInput) {
  const fixture = new PatientDocFixture(person.ctcId);
  return fixture.write(fixture.setField('givenName', person.givenName), {
    projection: { patient: patientRow(person), directoryUpserts: [directoryRow(person)] },
  });
}

const amina: PersonInput = { ctcId: ctc(facilityA, 1), givenName: 'Amina', familyName: 'Mwita' };
const juma: PersonInput = { ctcId: ctc(facilityB, 7), givenName: 'Juma', familyName: 'Mwakyusa' };
const names = (rows: ReadonlyArray<{ givenName: string }>) => rows.map((row) => row.givenName);

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not reached in 2 s');
}

describe('search kept fresh', () => {
  it("finds another tab's registration and its register's rows (D10)", async () => {
    const idb = new FakeIDBFactory();
    const name = freshName();
    const options = { name, indexedDB: idb, IDBKeyRange: FakeIDBKeyRange };
    const tabA = createDexieStore(options);
    const tabB = createDexieStore(options);
    // Tab B's index is built (empty) before tab A writes anything.
    expect(await tabB.searchDirectory('mw', 10)).toEqual([]);
    await tabA.commitMany([registration(amina)]);
    await eventually(async () => (await tabB.searchPatients('amina', 10)).length === 1);
    expect(names(await tabB.searchDirectory('mwita', 10))).toEqual(['Amina']);
    // A register another tab received (replication) lists patients held nowhere here.
    await tabA.commit(registerWrite(facilityB, [directoryRow(juma)]));
    await eventually(async () => (await tabB.searchDirectory('juma', 10)).length === 1);
    expect(await tabB.searchPatients('juma', 10)).toEqual([]);
    await Promise.all([tabA.delete(), tabB.close()]);
  });

  it('loads both tables once, then follows commits and removals of this connection', async () => {
    const store = createMemoryStore();
    await store.commit(registration(amina));
    await store.prepareSearch();
    await store.commitMany([registration(juma)]);
    expect(names(await store.searchPatients('mw', 10))).toEqual(['Juma', 'Amina']);
    expect(
      (await store.getPatientRows([juma.ctcId, ctc(facilityB, 99)])).map((row) => row?.ctcId),
    ).toEqual([juma.ctcId, undefined]);
    await store.removeDoc(patientDocId(juma.ctcId));
    expect(names(await store.searchPatients('mw', 10))).toEqual(['Amina']);
    // D6: the directory still lists a patient whose record is gone from the device.
    expect(names(await store.searchDirectory('mw', 10, { ownFacility: facilityA }))).toEqual([
      'Amina',
      'Juma',
    ]);
  });

  it('forgets a record another tab removed (pruning), told by the stored signal', async () => {
    const name = freshName();
    const remover = createStoredSignal(name);
    const listener = createStoredSignal(name);
    const memory = createMemoryStore();
    await memory.commit(registration(amina));
    const tab = withSearchIndex(
      { ...memory, onForeignRemoval: (forget) => listener.listenRemovals(forget) },
      () => Promise.resolve({ patients: [patientRow(amina)], directory: [directoryRow(amina)] }),
    );
    expect(names(await tab.searchPatients('amina', 10))).toEqual(['Amina']);
    remover.postRemovals([patientDocId(amina.ctcId)]);
    await eventually(async () => (await tab.searchPatients('amina', 10)).length === 0);
    expect(await tab.getPatientRows([amina.ctcId])).toEqual([undefined]);
    // The directory still lists the patient (D6): only "held" changes.
    expect(names(await tab.searchDirectory('amina', 10))).toEqual(['Amina']);
    remover.close();
    listener.close();
    await tab.close();
  });

  it('sees a commit made while the rows are being read', async () => {
    const store = createMemoryStore();
    const prepared = store.prepareSearch();
    await store.commit(registration(amina));
    await prepared;
    expect(names(await store.searchPatients('amina', 10))).toEqual(['Amina']);
  });

  it('hands out copies: changing a result changes nothing stored', async () => {
    const store = createMemoryStore();
    await store.commit(registration(amina));
    const [found] = await store.searchPatients('amina', 10);
    if (!found) throw new Error('not found');
    found.nameTokens.push('zzz');
    found.givenName = 'Changed';
    expect(names(await store.searchPatients('amina', 10))).toEqual(['Amina']);
    expect(await store.searchPatients('zzz', 10)).toEqual([]);
  });
});
