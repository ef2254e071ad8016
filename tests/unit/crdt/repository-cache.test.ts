/**
 * The live-document cache (D14), writes of several documents as one unit (D5) and removal (D6).
 */
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { CtcId, FacilityCode, IsoDateTime } from '../../../src/domain/types';
import { networkDocId, patientDocId, registerDocId, type DocId } from '../../../src/crdt/doc-id';
import { initPatientDoc, readPatient } from '../../../src/crdt/patient-doc';
import { initRegisterDoc, registerPatients, upsertSummary } from '../../../src/crdt/register-doc';
import { DocumentRepository } from '../../../src/crdt/repository';
import { StorageError, type DocWrite } from '../../../src/crdt/ports';
import { createMemoryStore, type MemoryStore } from '../../../src/storage/memory-store';
import { amina, ctcA1, facilityA, stampAt } from './fixtures';

const clock = { now: () => Date.parse('2026-02-01T09:00:00.000Z') };
const facility = (i: number) => `0102${String(i).padStart(4, '0')}` as FacilityCode;
const ctcOf = (f: FacilityCode, serial: number) =>
  `${f}01${String(serial).padStart(4, '0')}` as CtcId;

function summary(ctcId: CtcId) {
  return {
    ctcId,
    givenName: 'Amina',
    familyName: 'Mwakyusa',
    sex: 'female' as const,
    birthYear: 1990,
    status: 'active' as const,
    registeredAt: '2026-02-01T09:00:00.000Z' as IsoDateTime,
  };
}

/** Amina's record as her registration starts it (patient ctcA1 of facility A). */
const initAminaRecord = (doc: Y.Doc) =>
  initPatientDoc(doc, {
    ctcId: ctcA1,
    primaryFacility: facilityA,
    demographics: amina,
    stamp: stampAt('2026-02-01T09:00:00.000Z'),
    entryId: 'reg' as never,
  });

const writeRegister = (repo: DocumentRepository, f: FacilityCode, patients = 1) =>
  repo.write(registerDocId(f), (doc) => {
    initRegisterDoc(doc, f);
    for (let i = 1; i <= patients; i += 1) upsertSummary(doc, summary(ctcOf(f, i)));
  });

/** Holds every commit until `open()`: a write stays in flight as long as the test wants. */
function gatedStore(): { store: MemoryStore; open(): void; waiting(): number } {
  const store = createMemoryStore({ clock });
  const held: Array<() => void> = [];
  let gated = true;
  const wrap =
    <A>(commit: (arg: A) => Promise<void>) =>
    (arg: A) =>
      gated
        ? new Promise<void>((resolve, reject) => {
            held.push(() => {
              commit(arg).then(resolve, reject);
            });
          })
        : commit(arg);
  const commit = store.commit.bind(store);
  const commitMany = store.commitMany.bind(store);
  store.commit = wrap<DocWrite>(commit);
  store.commitMany = wrap<readonly DocWrite[]>(commitMany);
  return {
    store,
    open() {
      gated = false;
      for (const release of held.splice(0)) release();
    },
    waiting: () => held.length,
  };
}

const settleMicrotasks = () => new Promise((resolve) => setImmediate(resolve));

describe('live-document cache', () => {
  it('D14 registers are evicted like any document; the network document stays open', async () => {
    const store = createMemoryStore({ clock });
    const repo = new DocumentRepository({ store, clock, cacheLimit: 2 });
    const network = await repo.get(networkDocId);
    await writeRegister(repo, facility(1));
    const first = await repo.get(registerDocId(facility(1)));
    for (let i = 2; i <= 4; i += 1) await writeRegister(repo, facility(i));
    const again = await repo.get(registerDocId(facility(1)));
    expect(again, 'evicted, then loaded again from storage').not.toBe(first);
    expect(registerPatients(again).has(ctcOf(facility(1), 1))).toBe(true);
    expect(await repo.get(networkDocId)).toBe(network);
  });

  it('D14 one byte budget across kinds: a large register leaves room by being evicted', async () => {
    const store = createMemoryStore({ clock });
    const setup = new DocumentRepository({ store, clock });
    await writeRegister(setup, facility(1), 200);
    await writeRegister(setup, facility(2), 1);
    const repo = new DocumentRepository({ store, clock, cacheLimit: 100, cacheBytes: 4_000 });
    const large = await repo.get(registerDocId(facility(1)));
    const small = await repo.get(registerDocId(facility(2)));
    expect(await repo.get(registerDocId(facility(2)))).toBe(small);
    expect(await repo.get(registerDocId(facility(1)))).not.toBe(large);
  });

  it('D14 a document with a write in flight is not evicted, and the write lands live', async () => {
    const gate = gatedStore();
    const repo = new DocumentRepository({ store: gate.store, clock, cacheLimit: 1 });
    const announced: DocId[] = [];
    repo.onUpdate((docId) => announced.push(docId));
    const target = registerDocId(facility(1));
    const live = await repo.get(target);
    const writing = writeRegister(repo, facility(1));
    await settleMicrotasks();
    expect(gate.waiting()).toBe(1);
    // Other documents are read meanwhile, far over the budget.
    for (let i = 2; i <= 5; i += 1) await repo.get(registerDocId(facility(i)));
    gate.open();
    await writing;
    expect(registerPatients(live).has(ctcOf(facility(1), 1))).toBe(true);
    expect(registerPatients(await repo.get(target)).has(ctcOf(facility(1), 1))).toBe(true);
    expect(announced).toEqual([target]);
  });
});

describe('several documents as one unit (writeMany)', () => {
  const recordId = patientDocId(ctcA1);
  const registerId = registerDocId(facilityA);
  const registration = [
    {
      docId: recordId,
      mutate: initAminaRecord,
    },
    {
      docId: registerId,
      mutate: (doc: Y.Doc) => {
        initRegisterDoc(doc, facilityA);
        upsertSummary(doc, summary(ctcA1));
      },
    },
  ];

  it('D5 stores a record and its summary in one transaction before either is live or announced', async () => {
    const gate = gatedStore();
    const repo = new DocumentRepository({ store: gate.store, clock });
    const announced: DocId[] = [];
    repo.onUpdate((docId) => announced.push(docId));
    const writing = repo.writeMany(registration, { meta: [{ key: 'serial', value: 1 }] });
    await settleMicrotasks();
    expect(gate.waiting()).toBe(1);
    expect(announced).toEqual([]);
    // D21: a reader meanwhile waits for the commit; it never sees what is not stored yet.
    let read: unknown = 'not yet';
    const reading = repo.get(recordId).then((doc) => (read = readPatient(doc).demographics));
    await settleMicrotasks();
    expect(read).toBe('not yet');
    gate.open();
    await writing;
    await reading;
    expect(read).toEqual(amina);
    expect(announced.sort()).toEqual([recordId, registerId].sort());
    expect(readPatient(await repo.get(recordId)).demographics).toEqual(amina);
    expect(registerPatients(await repo.get(registerId)).has(ctcA1)).toBe(true);
    expect(await gate.store.getMeta('serial')).toBe(1);
    expect((await gate.store.getDirectoryRow(ctcA1))?.familyName).toBe('Mwakyusa');
    expect((await gate.store.getPatientRow(ctcA1))?.givenName).toBe('Amina');
  });

  it('D5 a failed unit changes nothing: not storage, not the live documents, no announcement', async () => {
    const store = createMemoryStore({ clock });
    const repo = new DocumentRepository({ store, clock });
    const announced: DocId[] = [];
    repo.onUpdate((docId) => announced.push(docId));
    store.failNextCommit('quota-exceeded');
    await expect(repo.writeMany(registration)).rejects.toBeInstanceOf(StorageError);
    expect(announced).toEqual([]);
    expect(await store.listDocs()).toEqual([]);
    expect(readPatient(await repo.get(recordId)).demographics).toBeUndefined();
    expect(registerPatients(await repo.get(registerId)).size).toBe(0);
    // The same unit succeeds once space is free.
    await repo.writeMany(registration);
    expect(announced.sort()).toEqual([recordId, registerId].sort());
  });
});

describe('removing a document', () => {
  const recordId = patientDocId(ctcA1);
  const register = (repo: DocumentRepository) => repo.write(recordId, initAminaRecord);

  it('D6 refuses while a write is in flight, then forgets the record here', async () => {
    const gate = gatedStore();
    const repo = new DocumentRepository({ store: gate.store, clock });
    const writing = register(repo);
    await expect(repo.remove(recordId)).rejects.toThrow(/in flight/);
    gate.open();
    await writing;
    await repo.remove(recordId);
    expect(await repo.isStored(recordId)).toBe(false);
    expect(await gate.store.getPatientRow(ctcA1)).toBeUndefined();
    expect(readPatient(await repo.get(recordId)).demographics).toBeUndefined();
    // A peer may send it again later: it is stored afresh.
    await register(repo);
    expect(readPatient(await repo.get(recordId)).demographics).toEqual(amina);
  });
});
