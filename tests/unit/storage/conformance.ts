/**
 * Behaviour every storage adapter must have. Each adapter's test file calls
 * `runDocumentStoreConformance` with a setup that returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import fc from 'fast-check';
import { StorageError, type StoredChange } from '../../../src/crdt/ports';
import { networkDocId, patientDocId, registerDocId, type DocId } from '../../../src/crdt/doc-id';
import type { IsoDate } from '../../../src/domain/types';
import type { Clock } from '../../../src/lib/deps';
import type { LocalStore } from '../../../src/storage/local-store';
import {
  content,
  ctc,
  directoryRow,
  facilityA,
  facilityB,
  PatientDocFixture,
  patientRow,
  rebuild,
  registerWrite,
  type PersonInput,
} from './fixtures';

export interface StoreUnderTest {
  store: LocalStore;
  teardown(): Promise<void>;
}

export type StoreSetup = (context: { clock: Clock }) => Promise<StoreUnderTest>;

const zaituni: PersonInput = {
  ctcId: ctc(facilityA, 1),
  givenName: 'Zaïtuni',
  familyName: 'Mwakyusa',
  phone: '+255 712 345 678',
  nextAppointment: '2025-03-10',
};
const baraka: PersonInput = {
  ctcId: ctc(facilityA, 2),
  givenName: 'Baraka',
  familyName: 'Mwamba',
  sex: 'male',
  phone: '0754 111 222',
  nextAppointment: '2025-03-03',
};
const zawadi: PersonInput = {
  ctcId: ctc(facilityB, 3),
  givenName: 'Zawadi',
  familyName: 'Ally',
  nextAppointment: '2025-03-10',
};
const neema: PersonInput = {
  ctcId: ctc(facilityB, 4),
  givenName: 'Neema',
  familyName: 'Mwakyusa',
  status: 'transferred_out',
  nextAppointment: '2025-03-01',
};
const people = [zaituni, baraka, zawadi, neema];

async function expectStorageError(promise: Promise<unknown>, code: StorageError['code']) {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).code).toBe(code);
}

const names = (rows: ReadonlyArray<{ givenName: string; familyName: string }>) =>
  rows.map((row) => `${row.givenName} ${row.familyName}`);

export function runDocumentStoreConformance(name: string, setup: StoreSetup): void {
  describe(`${name}: DocumentStore and PatientQueries conformance`, () => {
    let now = Date.parse('2025-02-01T09:30:00.000Z');
    const clock: Clock = { now: () => now };
    let subject: StoreUnderTest;
    let store: LocalStore;

    beforeEach(async () => {
      now = Date.parse('2025-02-01T09:30:00.000Z');
      subject = await setup({ clock });
      store = subject.store;
    });
    afterEach(async () => {
      await subject.teardown();
    });

    /** Stores one patient document with its rows, as registering the patient would. */
    async function register(person: PersonInput): Promise<PatientDocFixture> {
      const fixture = new PatientDocFixture(person.ctcId);
      const update = fixture.setField('familyName', person.familyName);
      await store.commit(
        fixture.write(update, {
          projection: { patient: patientRow(person), directoryUpserts: [directoryRow(person)] },
        }),
      );
      return fixture;
    }

    describe('updates', () => {
      it('loads the updates of a document in the order they were committed', async () => {
        const first = new PatientDocFixture(zaituni.ctcId);
        const other = new PatientDocFixture(baraka.ctcId);
        const expected: Uint8Array[] = [];
        for (let i = 0; i < 5; i += 1) {
          const update = first.setField('phone', `07120000${i}`);
          expected.push(update);
          await store.commit(first.write(update));
          await store.commit(other.write(other.addVisit(`2025-01-0${i + 1}`, 60 + i)));
        }
        const loaded = await store.loadUpdates(first.docId);
        expect(loaded.map((bytes) => [...bytes])).toEqual(expected.map((bytes) => [...bytes]));
        expect(await store.loadUpdates(other.docId)).toHaveLength(5);
        expect(await store.loadUpdates(patientDocId(zawadi.ctcId))).toEqual([]);
      });

      it('rebuilds the same document from what it stored', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        fixture.setField('givenName', 'Zaïtuni');
        fixture.setField('familyName', 'Mwakyusa');
        fixture.addVisit('2025-01-10', 61);
        fixture.addVisit('2025-02-10', 62);
        fixture.setField('phone', '+255712345678');
        for (const update of fixture.updates) await store.commit(fixture.write(update));
        const rebuilt = rebuild(await store.loadUpdates(fixture.docId));
        expect(content(rebuilt)).toEqual(content(fixture.doc));
      });

      it('stores exactly the bytes of an update given as a view into a larger buffer', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const update = fixture.setField('givenName', 'Zaïtuni');
        const padded = new Uint8Array(update.length + 64).fill(7);
        padded.set(update, 32);
        await store.commit(fixture.write(padded.subarray(32, 32 + update.length)));
        const [loaded] = await store.loadUpdates(fixture.docId);
        expect(loaded?.byteLength).toBe(update.byteLength);
        expect(loaded?.buffer.byteLength).toBe(update.byteLength);
      });
    });

    describe('document info', () => {
      it('records kind, update count, state vector and time of the last write', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        await store.commit(fixture.write(fixture.setField('givenName', 'Zaïtuni')));
        now += 60_000;
        await store.commit(fixture.write(fixture.addVisit('2025-02-01', 60)));
        const info = await store.getDocInfo(fixture.docId);
        expect(info?.kind).toBe('patient');
        expect(info?.updateCount).toBe(2);
        expect([...(info?.stateVector ?? [])]).toEqual([...Y.encodeStateVector(fixture.doc)]);
        expect(info?.updatedAt).toBe('2025-02-01T09:31:00.000Z');
        expect(await store.getDocInfo(patientDocId(baraka.ctcId))).toBeUndefined();
      });

      it('keeps every stored change in the state vector when two tabs write from different copies', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        await store.commit(fixture.write(fixture.setField('givenName', 'Zaïtuni')));
        // Another tab's copy, made before the first tab's next change, writes its own change.
        const otherTab = new Y.Doc();
        Y.applyUpdate(otherTab, Y.encodeStateAsUpdate(fixture.doc));
        await store.commit(fixture.write(fixture.addVisit('2025-02-01', 60)));
        const before = Y.encodeStateVector(otherTab);
        otherTab.getArray('visits').push([{ note: 'from the other tab' }]);
        await store.commit({
          ...fixture.write(Y.encodeStateAsUpdate(otherTab, before)),
          stateVector: Y.encodeStateVector(otherTab),
        });
        const union = rebuild(await store.loadUpdates(fixture.docId));
        const info = await store.getDocInfo(fixture.docId);
        expect(Y.decodeStateVector(info!.stateVector)).toEqual(
          Y.decodeStateVector(Y.encodeStateVector(union)),
        );
      });

      it('lists documents, all or of one kind', async () => {
        const network = new Y.Doc();
        network.getMap('facilities').set(facilityA, 'Mbeya RRH CTC');
        await store.commit({
          docId: networkDocId,
          kind: 'network',
          update: Y.encodeStateAsUpdate(network),
          stateVector: Y.encodeStateVector(network),
        });
        await store.commit(registerWrite(facilityA, [directoryRow(zaituni)]));
        await register(zaituni);
        await register(baraka);

        const all = await store.listDocs();
        expect(all.map((info) => info.docId).sort()).toEqual(
          [
            networkDocId,
            registerDocId(facilityA),
            patientDocId(zaituni.ctcId),
            patientDocId(baraka.ctcId),
          ].sort(),
        );
        const patientDocs = await store.listDocs('patient');
        expect(patientDocs.map((info) => info.docId).sort()).toEqual(
          [patientDocId(zaituni.ctcId), patientDocId(baraka.ctcId)].sort(),
        );
        expect((await store.listDocs('register')).map((info) => info.docId)).toEqual([
          registerDocId(facilityA),
        ]);
      });
    });

    describe('atomic commits', () => {
      it('stores the update, document info, projection rows and settings together', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        await store.commit(
          fixture.write(fixture.setField('givenName', 'Zaïtuni'), {
            projection: {
              patient: patientRow(zaituni),
              directoryUpserts: [directoryRow(zaituni)],
            },
            meta: [{ key: 'ctc-serial', value: { facility: facilityA, next: 2 } }],
          }),
        );
        expect(await store.loadUpdates(fixture.docId)).toHaveLength(1);
        expect((await store.getDocInfo(fixture.docId))?.updateCount).toBe(1);
        expect((await store.getPatientRow(zaituni.ctcId))?.givenName).toBe('Zaïtuni');
        expect((await store.getDirectoryRow(zaituni.ctcId))?.familyName).toBe('Mwakyusa');
        expect(await store.getMeta('ctc-serial')).toEqual({ facility: facilityA, next: 2 });
      });

      it('stores nothing of a commit that fails part way (a setting that cannot be stored)', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const failing = store.commit(
          fixture.write(fixture.setField('givenName', 'Zaïtuni'), {
            projection: {
              patient: patientRow(zaituni),
              directoryUpserts: [directoryRow(zaituni)],
            },
            meta: [
              { key: 'ctc-serial', value: 2 },
              { key: 'broken', value: () => 'functions cannot be stored' },
            ],
          }),
        );
        await expectStorageError(failing, 'write-failed');
        expect(await store.loadUpdates(fixture.docId)).toEqual([]);
        expect(await store.getDocInfo(fixture.docId)).toBeUndefined();
        expect(await store.getPatientRow(zaituni.ctcId)).toBeUndefined();
        expect(await store.getDirectoryRow(zaituni.ctcId)).toBeUndefined();
        expect(await store.getMeta('ctc-serial')).toBeUndefined();
        expect(await store.listDocs()).toEqual([]);
      });

      it('keeps earlier commits of a document when a later one fails', async () => {
        const fixture = await register(zaituni);
        const failing = store.commit(
          fixture.write(fixture.addVisit('2025-02-01', 60), {
            projection: { patient: { ...patientRow(zaituni), givenName: 'Changed' } },
            meta: [{ key: 'broken', value: Symbol('not cloneable') }],
          }),
        );
        await expectStorageError(failing, 'write-failed');
        expect(await store.loadUpdates(fixture.docId)).toHaveLength(1);
        expect((await store.getDocInfo(fixture.docId))?.updateCount).toBe(1);
        expect((await store.getPatientRow(zaituni.ctcId))?.givenName).toBe('Zaïtuni');
      });

      it('refuses a write whose kind does not match its document id', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const write = {
          ...fixture.write(fixture.setField('givenName', 'Z')),
          kind: 'register' as const,
        };
        await expectStorageError(store.commit(write), 'write-failed');
        expect(await store.listDocs()).toEqual([]);
      });

      it("refuses a patient row projected from another patient's document", async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const write = fixture.write(fixture.setField('givenName', 'Z'), {
          projection: { patient: patientRow(baraka) },
        });
        await expectStorageError(store.commit(write), 'write-failed');
        expect(await store.getPatientRow(baraka.ctcId)).toBeUndefined();
      });
    });

    describe('compaction', () => {
      it('D3 merges every stored update into one and keeps the content', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        fixture.setField('givenName', 'Zaïtuni');
        fixture.setField('familyName', 'Mwakyusa');
        fixture.addVisit('2025-01-10', 61);
        fixture.addVisit('2025-02-10', 62);
        for (const update of fixture.updates) await store.commit(fixture.write(update));

        await store.compact(fixture.docId);

        const after = await store.loadUpdates(fixture.docId);
        expect(after).toHaveLength(1);
        expect(content(rebuild(after))).toEqual(content(fixture.doc));
        expect((await store.getDocInfo(fixture.docId))?.updateCount).toBe(1);

        // A later commit loads after the merged update.
        await store.commit(fixture.write(fixture.setField('phone', '0712345678')));
        expect(await store.loadUpdates(fixture.docId)).toHaveLength(2);
        expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(
          content(fixture.doc),
        );
      });

      it('D3 never deletes a write another tab stored from its own copy', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        await store.commit(fixture.write(fixture.setField('givenName', 'Zaïtuni')));
        // Tab B's copy of the record, taken before tab A's next changes.
        const otherTab = new Y.Doc();
        Y.applyUpdate(otherTab, Y.encodeStateAsUpdate(fixture.doc));
        await store.commit(fixture.write(fixture.addVisit('2025-02-01', 60)));
        const before = Y.encodeStateVector(otherTab);
        otherTab.getArray('visits').push([{ date: '2025-02-02', weightKg: 70 }]);
        await store.commit({
          ...fixture.write(Y.encodeStateAsUpdate(otherTab, before)),
          stateVector: Y.encodeStateVector(otherTab),
        });
        await store.commit(fixture.write(fixture.addVisit('2025-02-03', 61)));

        // Tab A compacts: tab B's visit, which tab A's copy never saw, stays.
        await store.compact(fixture.docId);

        const stored = rebuild(await store.loadUpdates(fixture.docId));
        expect(stored.getArray('visits').toJSON()).toContainEqual({
          date: '2025-02-02',
          weightKg: 70,
        });
        expect(stored.getArray('visits').length).toBe(3);
        const info = await store.getDocInfo(fixture.docId);
        expect(Y.decodeStateVector(info!.stateVector)).toEqual(
          Y.decodeStateVector(Y.encodeStateVector(stored)),
        );
      });

      it('D2 recomputes a state vector that claims more than is stored', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        await store.commit(fixture.write(fixture.setField('givenName', 'Zaïtuni')));
        const claimed = new Map(Y.decodeStateVector(Y.encodeStateVector(fixture.doc)));
        claimed.set(4242, 7);
        await store.commit({
          ...fixture.write(fixture.addVisit('2025-02-01', 60)),
          stateVector: Y.encodeStateVector(claimed),
        });
        await store.compact(fixture.docId);
        const info = await store.getDocInfo(fixture.docId);
        expect(Y.decodeStateVector(info!.stateVector).has(4242)).toBe(false);
        expect(Y.decodeStateVector(info!.stateVector)).toEqual(
          Y.decodeStateVector(Y.encodeStateVector(fixture.doc)),
        );
      });

      it('D3 keeps an update that waits for a dependency, and does not claim it', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        await store.commit(fixture.write(fixture.setField('givenName', 'Zaïtuni')));
        // A peer's second change arrived without its first one.
        const peer = new Y.Doc();
        Y.applyUpdate(peer, Y.encodeStateAsUpdate(fixture.doc));
        peer.getMap('demographics').set('phone', '0712');
        const afterFirst = Y.encodeStateVector(peer);
        peer.getMap('demographics').set('phone', '0713');
        const second = Y.encodeStateAsUpdate(peer, afterFirst);
        await store.commit(fixture.write(second));
        await store.commit(fixture.write(fixture.addVisit('2025-02-01', 60)));

        await store.compact(fixture.docId);

        const stored = await store.loadUpdates(fixture.docId);
        const rebuilt = rebuild([...stored, Y.encodeStateAsUpdate(peer)]);
        expect(rebuilt.getMap('demographics').get('phone')).toBe('0713');
        const info = await store.getDocInfo(fixture.docId);
        expect(Y.decodeStateVector(info!.stateVector).get(peer.clientID)).toBeUndefined();
      });

      it('leaves a document it does not hold, or holds once, as it is', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        await store.compact(fixture.docId);
        expect(await store.loadUpdates(fixture.docId)).toEqual([]);
        expect(await store.getDocInfo(fixture.docId)).toBeUndefined();
        const update = fixture.setField('givenName', 'Zaïtuni');
        await store.commit(fixture.write(update));
        await store.compact(fixture.docId);
        expect((await store.loadUpdates(fixture.docId)).map((bytes) => [...bytes])).toEqual([
          [...update],
        ]);
      });

      it('D24 a tiered compaction merges the newest small rows and never rewrites a large base', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        // A large first write (a register's base), then many small ones.
        fixture.doc.transact(() => {
          for (let i = 0; i < 400; i += 1) fixture.doc.getMap('base').set(`k${i}`, `value ${i}`);
        });
        await store.commit(fixture.write(fixture.updates[0]!));
        for (let i = 0; i < 12; i += 1) {
          await store.commit(fixture.write(fixture.addVisit('2025-03-01', 60 + i)));
        }
        const before = await store.loadUpdates(fixture.docId);
        const infoBefore = await store.getDocInfo(fixture.docId);

        const merged = await store.compact(fixture.docId, { tiered: true });

        const after = await store.loadUpdates(fixture.docId);
        expect(merged).toBe(12);
        expect(after).toHaveLength(2);
        // The base row is the very bytes stored before: it was not read into a document again.
        expect([...after[0]!]).toEqual([...before[0]!]);
        expect(content(rebuild(after))).toEqual(content(fixture.doc));
        const info = await store.getDocInfo(fixture.docId);
        expect(info?.updateCount).toBe(2);
        expect([...info!.stateVector]).toEqual([...infoBefore!.stateVector]);
        // Only one small row: nothing worth merging.
        await store.commit(fixture.write(fixture.addVisit('2025-04-01', 70)));
        expect(await store.compact(fixture.docId, { tiered: true })).toBe(0);
        expect(await store.loadUpdates(fixture.docId)).toHaveLength(3);
        // An untiered compaction still merges every row into one.
        await store.compact(fixture.docId);
        expect(await store.loadUpdates(fixture.docId)).toHaveLength(1);
        expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(
          content(fixture.doc),
        );
      });

      it('keeps every document intact under random edits and compactions', async () => {
        const seed = 20250201;
        const edit = fc.oneof(
          fc.record({
            type: fc.constant('field' as const),
            key: fc.constantFrom('a', 'b', 'c'),
            value: fc.string(),
          }),
          fc.record({
            type: fc.constant('visit' as const),
            weight: fc.integer({ min: 30, max: 120 }),
          }),
          fc.record({ type: fc.constant('compact' as const), tiered: fc.boolean() }),
        );
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.tuple(fc.nat(2), edit), { minLength: 1, maxLength: 25 }),
            async (steps) => {
              run += 1;
              const fixtures = [1, 2, 3].map(
                (i) => new PatientDocFixture(ctc(facilityB, 100 * run + i)),
              );
              for (const [which, step] of steps) {
                const fixture = fixtures[which];
                if (!fixture) throw new Error(`no fixture ${which}`);
                if (step.type === 'field') {
                  await store.commit(fixture.write(fixture.setField(step.key, step.value)));
                } else if (step.type === 'visit') {
                  await store.commit(fixture.write(fixture.addVisit('2025-01-01', step.weight)));
                } else {
                  await store.compact(fixture.docId, { tiered: step.tiered });
                }
              }
              for (const fixture of fixtures) {
                const stored = await store.loadUpdates(fixture.docId);
                expect(content(rebuild(stored))).toEqual(content(fixture.doc));
                const info = await store.getDocInfo(fixture.docId);
                expect(info?.updateCount ?? 0).toBe(stored.length);
                if (info) {
                  expect(Y.decodeStateVector(info.stateVector)).toEqual(
                    Y.decodeStateVector(Y.encodeStateVector(fixture.doc)),
                  );
                }
              }
            },
          ),
          { seed, numRuns: 15, verbose: true },
        );
      });
    });

    describe('several writes as one unit (commitMany)', () => {
      function registrationWrites() {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const record = fixture.write(fixture.setField('givenName', 'Zaïtuni'), {
          projection: { patient: patientRow(zaituni) },
          meta: [{ key: 'ctc-serial', value: 1 }],
        });
        return { fixture, record, register: registerWrite(facilityA, [directoryRow(zaituni)]) };
      }

      it('D5 stores a record, its register summary and the serial counter together', async () => {
        const { fixture, record, register } = registrationWrites();
        await store.commitMany([record, register]);
        expect(await store.loadUpdates(fixture.docId)).toHaveLength(1);
        expect(await store.loadUpdates(registerDocId(facilityA))).toHaveLength(1);
        expect((await store.getPatientRow(zaituni.ctcId))?.givenName).toBe('Zaïtuni');
        expect((await store.getDirectoryRow(zaituni.ctcId))?.familyName).toBe('Mwakyusa');
        expect(await store.getMeta('ctc-serial')).toBe(1);
        expect((await store.listDocs()).map((info) => info.docId).sort()).toEqual(
          [fixture.docId, registerDocId(facilityA)].sort(),
        );
      });

      it('D5 stores nothing of any write when one of them cannot be stored', async () => {
        const { fixture, record, register } = registrationWrites();
        const failing = store.commitMany([
          record,
          { ...register, meta: [{ key: 'broken', value: () => 'functions cannot be stored' }] },
        ]);
        await expectStorageError(failing, 'write-failed');
        expect(await store.loadUpdates(fixture.docId)).toEqual([]);
        expect(await store.loadUpdates(registerDocId(facilityA))).toEqual([]);
        expect(await store.getPatientRow(zaituni.ctcId)).toBeUndefined();
        expect(await store.getDirectoryRow(zaituni.ctcId)).toBeUndefined();
        expect(await store.getMeta('ctc-serial')).toBeUndefined();
        expect(await store.listDocs()).toEqual([]);
      });

      it('D5 refuses the whole unit when one write is not well formed', async () => {
        const { record, register } = registrationWrites();
        await expectStorageError(
          store.commitMany([record, { ...register, kind: 'patient' }]),
          'write-failed',
        );
        expect(await store.listDocs()).toEqual([]);
        expect(await store.getMeta('ctc-serial')).toBeUndefined();
      });

      it('D5 stores two writes of one document in order, with the union state vector', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const first = fixture.write(fixture.setField('givenName', 'Zaïtuni'));
        const second = fixture.write(fixture.addVisit('2025-02-01', 60));
        await store.commitMany([first, second]);
        const loaded = await store.loadUpdates(fixture.docId);
        expect(loaded.map((bytes) => [...bytes])).toEqual([[...first.update], [...second.update]]);
        const info = await store.getDocInfo(fixture.docId);
        expect(info?.updateCount).toBe(2);
        expect([...(info?.stateVector ?? [])]).toEqual([...Y.encodeStateVector(fixture.doc)]);
        await store.commitMany([]);
        expect(await store.loadUpdates(fixture.docId)).toHaveLength(2);
      });
    });

    describe('removing a document', () => {
      it('D6 forgets its updates, info and patient row, and keeps directory rows and others', async () => {
        const first = await register(zaituni);
        const second = await register(baraka);
        await store.setMeta('ctc-serial', 2);
        await store.removeDoc(first.docId);
        expect(await store.loadUpdates(first.docId)).toEqual([]);
        expect(await store.getDocInfo(first.docId)).toBeUndefined();
        expect(await store.getPatientRow(zaituni.ctcId)).toBeUndefined();
        expect(await store.searchPatients('zaituni', 10)).toEqual([]);
        expect((await store.getDirectoryRow(zaituni.ctcId))?.givenName).toBe('Zaïtuni');
        expect(await store.loadUpdates(second.docId)).toHaveLength(1);
        expect((await store.getPatientRow(baraka.ctcId))?.givenName).toBe('Baraka');
        expect(await store.getMeta('ctc-serial')).toBe(2);
        expect((await store.listDocs()).map((info) => info.docId)).toEqual([second.docId]);
      });

      it('D6 removes a register without touching the directory, and a missing doc quietly', async () => {
        await store.commit(registerWrite(facilityA, [directoryRow(zaituni)]));
        await store.removeDoc(registerDocId(facilityA));
        expect(await store.getDocInfo(registerDocId(facilityA))).toBeUndefined();
        expect(await store.getDirectoryRow(zaituni.ctcId)).toBeDefined();
        await store.removeDoc(patientDocId(neema.ctcId));
        await expectStorageError(store.removeDoc('nonsense' as DocId), 'write-failed');
      });

      it('D6 a removed document can be stored again from scratch', async () => {
        const first = await register(zaituni);
        await store.removeDoc(first.docId);
        const again = await register(zaituni);
        expect(await store.loadUpdates(again.docId)).toHaveLength(1);
        expect((await store.getDocInfo(again.docId))?.updateCount).toBe(1);
      });
    });

    describe('signed changes', () => {
      /** Opaque bytes stand in for a signed envelope: the store never decodes them. */
      function signed(id: string, fixture: PatientDocFixture, ...bytes: number[]): StoredChange {
        return { id, bytes: new Uint8Array(bytes), reach: Y.encodeStateVector(fixture.doc) };
      }
      const plain = (changes: readonly StoredChange[]) =>
        changes.map(({ id, bytes, reach }) => ({ id, bytes: [...bytes], reach: [...reach] }));

      it('SC21 loads the changes of a document in the order stored, byte-exact, and no others', async () => {
        const first = new PatientDocFixture(zaituni.ctcId);
        const other = new PatientDocFixture(baraka.ctcId);
        // One commit may carry several changes (a batch), kept in the order given.
        const name = first.setField('givenName', 'Zaïtuni');
        const a = signed('sig-a', first, 1, 2, 3);
        const b = signed('sig-b', first, 4, 5);
        await store.commit(first.write(name, { changes: [a, b] }));
        const visit = first.addVisit('2025-02-02', 61);
        const c = signed('sig-c', first, 6);
        await store.commit(
          other.write(other.setField('givenName', 'Baraka'), {
            changes: [signed('sig-other', other, 9, 9)],
          }),
        );
        await store.commitMany([first.write(visit, { changes: [c] })]);
        expect(plain(await store.loadChanges(first.docId))).toEqual(plain([a, b, c]));
        expect((await store.loadChanges(other.docId)).map((change) => change.id)).toEqual([
          'sig-other',
        ]);
        expect(await store.loadChanges(patientDocId(zawadi.ctcId))).toEqual([]);
        const [loaded] = await store.loadChanges(first.docId);
        expect(loaded?.bytes).toBeInstanceOf(Uint8Array);
        expect(loaded?.reach).toBeInstanceOf(Uint8Array);
      });

      it('SC21 keeps a change stored twice (same id, two commits) once', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const update = fixture.setField('givenName', 'Zaïtuni');
        const change = signed('sig-a', fixture, 1, 2);
        await store.commit(fixture.write(update, { changes: [change] }));
        const later = signed('sig-b', fixture, 3);
        await store.commit(
          fixture.write(fixture.addVisit('2025-02-01', 60), { changes: [change, later] }),
        );
        await store.commitMany([
          fixture.write(fixture.addVisit('2025-02-02', 61), { changes: [later, later] }),
        ]);
        expect((await store.loadChanges(fixture.docId)).map((c) => c.id)).toEqual([
          'sig-a',
          'sig-b',
        ]);
        expect(await store.loadUpdates(fixture.docId)).toHaveLength(3);
      });

      it('SC21 compaction leaves every change in place', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const given: StoredChange[] = [];
        fixture.setField('givenName', 'Zaïtuni');
        fixture.addVisit('2025-01-10', 61);
        fixture.addVisit('2025-02-10', 62);
        for (const [i, update] of fixture.updates.entries()) {
          const change = signed(`sig-${i}`, fixture, i + 1, 200);
          given.push(change);
          await store.commit(fixture.write(update, { changes: [change] }));
        }
        await store.compact(fixture.docId);
        expect(await store.loadUpdates(fixture.docId)).toHaveLength(1);
        expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(
          content(fixture.doc),
        );
        expect(plain(await store.loadChanges(fixture.docId))).toEqual(plain(given));
      });

      it('SC21 removing a document removes its changes, not those of others', async () => {
        const first = new PatientDocFixture(zaituni.ctcId);
        const other = new PatientDocFixture(baraka.ctcId);
        await store.commit(
          first.write(first.setField('givenName', 'Zaïtuni'), {
            changes: [signed('sig-a', first, 1)],
          }),
        );
        await store.commit(
          other.write(other.setField('givenName', 'Baraka'), {
            changes: [signed('sig-b', other, 2)],
          }),
        );
        await store.removeDoc(first.docId);
        expect(await store.loadChanges(first.docId)).toEqual([]);
        expect((await store.loadChanges(other.docId)).map((c) => c.id)).toEqual(['sig-b']);
        // Stored again from scratch, the same change is kept anew.
        await store.commit(
          first.write(first.updates[0]!, { changes: [signed('sig-a', first, 1)] }),
        );
        expect((await store.loadChanges(first.docId)).map((c) => c.id)).toEqual(['sig-a']);
      });

      it('SC21 stores none of the changes of a commitMany that fails part way', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const kept = signed('sig-kept', fixture, 1);
        await store.commit(
          fixture.write(fixture.setField('givenName', 'Zaïtuni'), { changes: [kept] }),
        );
        const register = registerWrite(facilityA, [directoryRow(zaituni)]);
        const failing = store.commitMany([
          fixture.write(fixture.addVisit('2025-02-01', 60), {
            changes: [signed('sig-lost', fixture, 2)],
          }),
          {
            ...register,
            changes: [
              { id: 'sig-register', bytes: new Uint8Array([3]), reach: new Uint8Array([0]) },
            ],
            meta: [{ key: 'broken', value: () => 'functions cannot be stored' }],
          },
        ]);
        await expectStorageError(failing, 'write-failed');
        expect(plain(await store.loadChanges(fixture.docId))).toEqual(plain([kept]));
        expect(await store.loadChanges(registerDocId(facilityA))).toEqual([]);
        expect(await store.loadUpdates(fixture.docId)).toHaveLength(1);
      });

      it('SC21 stores exactly the bytes of a change given as views into a larger buffer', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const update = fixture.setField('givenName', 'Zaïtuni');
        const padded = new Uint8Array(64).fill(7);
        padded.set([1, 2, 3], 10);
        const reach = Y.encodeStateVector(fixture.doc);
        padded.set(reach, 40);
        await store.commit(
          fixture.write(update, {
            changes: [
              {
                id: 'sig-view',
                bytes: padded.subarray(10, 13),
                reach: padded.subarray(40, 40 + reach.length),
              },
            ],
          }),
        );
        const [loaded] = await store.loadChanges(fixture.docId);
        expect([...(loaded?.bytes ?? [])]).toEqual([1, 2, 3]);
        expect(loaded?.bytes.buffer.byteLength).toBe(3);
        expect([...(loaded?.reach ?? [])]).toEqual([...reach]);
        expect(loaded?.reach.buffer.byteLength).toBe(reach.length);
      });

      it('SC21 does not let a caller change a stored change by mutating what it passed or got', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const change = signed('sig-a', fixture, 1, 2, 3);
        await store.commit(
          fixture.write(fixture.setField('givenName', 'Z'), { changes: [change] }),
        );
        change.bytes[0] = 99;
        const [loaded] = await store.loadChanges(fixture.docId);
        expect([...(loaded?.bytes ?? [])]).toEqual([1, 2, 3]);
        if (loaded) loaded.bytes[0] = 50;
        expect([...((await store.loadChanges(fixture.docId))[0]?.bytes ?? [])]).toEqual([1, 2, 3]);
      });

      it('SC21 refuses a write with a malformed change and stores nothing of it', async () => {
        const fixture = new PatientDocFixture(zaituni.ctcId);
        const update = fixture.setField('givenName', 'Zaïtuni');
        const good = signed('sig-good', fixture, 1);
        const bad: unknown[] = [
          { ...good, id: '' },
          { ...good, bytes: [1, 2, 3] },
          { ...good, bytes: new Uint8Array() },
          { ...good, reach: undefined },
        ];
        for (const change of bad) {
          const write = fixture.write(update, { changes: [good, change as StoredChange] });
          await expectStorageError(store.commit(write), 'write-failed');
          await expectStorageError(store.commitMany([write]), 'write-failed');
        }
        expect(await store.loadChanges(fixture.docId)).toEqual([]);
        expect(await store.loadUpdates(fixture.docId)).toEqual([]);
        expect(await store.listDocs()).toEqual([]);
      });
    });

    describe('search', () => {
      beforeEach(async () => {
        for (const person of people) await register(person);
      });

      it('finds a name by any accent and case, and by the start of a word', async () => {
        for (const query of ['zaïtuni', 'Zaituni', 'ZAI', 'zaitu', 'MWAKY']) {
          const found = await store.searchDirectory(query, 10);
          expect(names(found), query).toContain('Zaïtuni Mwakyusa');
        }
        expect(names(await store.searchPatients('zaïtuni', 10))).toEqual(['Zaïtuni Mwakyusa']);
      });

      it('requires every query word to start some word of the name', async () => {
        expect(names(await store.searchDirectory('mwa zai', 10))).toEqual(['Zaïtuni Mwakyusa']);
        expect(names(await store.searchPatients('zai mwa', 10))).toEqual(['Zaïtuni Mwakyusa']);
        expect(await store.searchDirectory('zai mwamba', 10)).toEqual([]);
        expect(await store.searchDirectory('tuni', 10)).toEqual([]);
      });

      it('sorts by family name then given name and honours the limit', async () => {
        expect(names(await store.searchDirectory('mwa', 10))).toEqual([
          'Neema Mwakyusa',
          'Zaïtuni Mwakyusa',
          'Baraka Mwamba',
        ]);
        expect(names(await store.searchDirectory('mwa', 2))).toEqual([
          'Neema Mwakyusa',
          'Zaïtuni Mwakyusa',
        ]);
        expect(names(await store.searchPatients('z', 10))).toEqual([
          'Zawadi Ally',
          'Zaïtuni Mwakyusa',
        ]);
      });

      it('finds a CTC ID typed with dashes or spaces, whole or by its start', async () => {
        const exact = await store.searchDirectory('1201-0001-000001', 10);
        expect(exact.map((row) => row.ctcId)).toEqual([zaituni.ctcId]);
        const facilityPrefix = await store.searchDirectory('1201 0002', 10);
        expect(facilityPrefix.map((row) => row.ctcId).sort()).toEqual(
          [zawadi.ctcId, neema.ctcId].sort(),
        );
        expect((await store.searchPatients('12010001-000002', 10)).map((row) => row.ctcId)).toEqual(
          [baraka.ctcId],
        );
        expect(await store.searchDirectory('1201-0001-000009', 10)).toEqual([]);
      });

      it('finds a patient by the tail or any part of the phone number', async () => {
        expect(names(await store.searchPatients('345 678', 10))).toEqual(['Zaïtuni Mwakyusa']);
        expect(names(await store.searchPatients('0712 345 678', 10))).toEqual(['Zaïtuni Mwakyusa']);
        expect(names(await store.searchPatients('754111222', 10))).toEqual(['Baraka Mwamba']);
        // The directory holds no phone numbers.
        expect(await store.searchDirectory('345678', 10)).toEqual([]);
      });

      it('ranks the own facility first, then whole words before prefixes', async () => {
        expect(names(await store.searchDirectory('mwa', 10, { ownFacility: facilityB }))).toEqual([
          'Neema Mwakyusa',
          'Zaïtuni Mwakyusa',
          'Baraka Mwamba',
        ]);
        expect(names(await store.searchDirectory('mwamba', 10))).toEqual(['Baraka Mwamba']);
        expect(names(await store.searchDirectory('z', 10, { ownFacility: facilityA }))).toEqual([
          'Zaïtuni Mwakyusa',
          'Zawadi Ally',
        ]);
      });

      it('reads several patient rows at once, in the order asked', async () => {
        const rows = await store.getPatientRows([baraka.ctcId, ctc(facilityA, 99), zaituni.ctcId]);
        expect(rows.map((row) => row?.givenName)).toEqual(['Baraka', undefined, 'Zaïtuni']);
      });

      it('answers input of any length or alphabet without throwing', async () => {
        for (const query of ['x'.repeat(50_000), '😀 ١٢٣ ', '\u0000', 'mwa'.repeat(200)]) {
          expect(await store.searchDirectory(query, 10)).toEqual([]);
        }
        // Input is cut at 100 characters: a word beyond them no longer narrows the search.
        expect(names(await store.searchDirectory(`zai${' '.repeat(200)}ally`, 10))).toEqual([
          'Zaïtuni Mwakyusa',
        ]);
        expect(names(await store.searchPatients(`zaï mwa ${'-'.repeat(10_000)}`, 10))).toEqual([
          'Zaïtuni Mwakyusa',
        ]);
      });

      it('finds nothing for an empty query or too few digits', async () => {
        expect(await store.searchDirectory('', 10)).toEqual([]);
        expect(await store.searchPatients('  -- ', 10)).toEqual([]);
        expect(await store.searchPatients('12', 10)).toEqual([]);
      });
    });

    describe('rows', () => {
      it('replaces a row when the same patient is projected again', async () => {
        const fixture = await register(zaituni);
        const renamed = { ...zaituni, familyName: 'Kapinga' };
        await store.commit(
          fixture.write(fixture.setField('familyName', 'Kapinga'), {
            projection: { patient: patientRow(renamed), directoryUpserts: [directoryRow(renamed)] },
          }),
        );
        expect(await store.searchDirectory('mwakyusa', 10)).toEqual([]);
        expect(await store.searchPatients('mwakyusa', 10)).toEqual([]);
        expect(names(await store.searchDirectory('kapinga', 10))).toEqual(['Zaïtuni Kapinga']);
        expect((await store.getPatientRow(zaituni.ctcId))?.familyName).toBe('Kapinga');
        expect(await store.directoryOfFacility(facilityA)).toHaveLength(1);
      });

      it('lists the directory of one facility', async () => {
        await store.commit(registerWrite(facilityB, [directoryRow(neema), directoryRow(zawadi)]));
        await store.commit(registerWrite(facilityA, [directoryRow(zaituni)]));
        const rows = await store.directoryOfFacility(facilityB);
        expect(rows.map((row) => row.ctcId)).toEqual([zawadi.ctcId, neema.ctcId]);
        expect(await store.getPatientRow(neema.ctcId)).toBeUndefined();
      });
    });

    describe('appointments', () => {
      it('lists active patients due on or before a date, earliest first', async () => {
        for (const person of people) await register(person);
        await register({
          ctcId: ctc(facilityA, 9),
          givenName: 'Later',
          familyName: 'Patient',
          nextAppointment: '2025-03-11',
        });
        await register({ ctcId: ctc(facilityA, 10), givenName: 'No', familyName: 'Appointment' });
        const due = await store.appointmentsUntil('2025-03-10' as IsoDate);
        expect(due.map((row) => row.ctcId)).toEqual([baraka.ctcId, zaituni.ctcId, zawadi.ctcId]);
        expect(await store.appointmentsUntil('2025-03-02' as IsoDate)).toEqual([]);
      });

      it('drops a patient from the worklist when their status changes', async () => {
        const fixture = await register(baraka);
        await store.commit(
          fixture.write(fixture.setField('status', 'died'), {
            projection: { patient: patientRow({ ...baraka, status: 'died' }) },
          }),
        );
        expect(await store.appointmentsUntil('2025-12-31' as IsoDate)).toEqual([]);
      });
    });

    describe('settings', () => {
      it('round-trips settings and reports unknown keys as undefined', async () => {
        expect(await store.getMeta('device')).toBeUndefined();
        await store.setMeta('device', { id: 'dev-1', slot: 3, tags: ['a', 'b'] });
        await store.setMeta('language', 'sw');
        expect(await store.getMeta('device')).toEqual({ id: 'dev-1', slot: 3, tags: ['a', 'b'] });
        expect(await store.getMeta<string>('language')).toBe('sw');
        await store.setMeta('language', 'en');
        expect(await store.getMeta<string>('language')).toBe('en');
      });

      it('does not let a caller change stored data by mutating what it passed or got', async () => {
        const value = { next: 1 };
        await store.setMeta('serial', value);
        value.next = 99;
        const read = await store.getMeta<{ next: number }>('serial');
        expect(read).toEqual({ next: 1 });
        if (read) read.next = 50;
        expect(await store.getMeta('serial')).toEqual({ next: 1 });
      });
    });
  });
}
