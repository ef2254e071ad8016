import { describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/crdt/ports';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { runDocumentStoreConformance } from './conformance';
import { ctc, directoryRow, facilityA, PatientDocFixture, patientRow } from './fixtures';

runDocumentStoreConformance('memory store', ({ clock }) => {
  const store = createMemoryStore({ clock });
  return Promise.resolve({ store, teardown: () => store.delete() });
});

describe('memory store test hooks', () => {
  it('fails the next commit with the requested code and stores nothing of it', async () => {
    const store = createMemoryStore();
    const person = { ctcId: ctc(facilityA, 1), givenName: 'Zaituni', familyName: 'Mwakyusa' };
    const fixture = new PatientDocFixture(person.ctcId);
    store.failNextCommit('quota-exceeded');
    const error: unknown = await store
      .commit(
        fixture.write(fixture.setField('givenName', 'Zaituni'), {
          projection: { patient: patientRow(person), directoryUpserts: [directoryRow(person)] },
        }),
      )
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('quota-exceeded');
    expect(await store.loadUpdates(fixture.docId)).toEqual([]);
    expect(await store.getPatientRow(person.ctcId)).toBeUndefined();

    // Only the next commit fails: retrying the save works.
    await store.commit(fixture.write(fixture.updates[0] ?? new Uint8Array()));
    expect(await store.loadUpdates(fixture.docId)).toHaveLength(1);
  });

  it('reports storage as unavailable once closed', async () => {
    const store = createMemoryStore();
    await store.close();
    const error: unknown = await store.listDocs().catch((thrown: unknown) => thrown);
    expect((error as StorageError).code).toBe('storage-unavailable');
  });
});
