import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { EntryId } from '../../../src/domain/types';
import { patientDocId, registerDocId } from '../../../src/crdt/doc-id';
import { appendEntry, initPatientDoc, readPatient } from '../../../src/crdt/patient-doc';
import { initRegisterDoc, upsertSummary } from '../../../src/crdt/register-doc';
import { DocumentRepository } from '../../../src/crdt/repository';
import { StorageError } from '../../../src/crdt/ports';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { amina, ctcA1, facilityA, facilityB, stampAt, visitEntry } from './fixtures';

const clock = { now: () => Date.parse('2026-02-01T09:00:00.000Z') };
const docId = patientDocId(ctcA1);

function setup(compactAfter = 32) {
  const store = createMemoryStore({ clock });
  const repo = new DocumentRepository({ store, clock, compactAfter });
  return { store, repo };
}

async function register(repo: DocumentRepository) {
  await repo.write(docId, (doc) =>
    initPatientDoc(doc, {
      ctcId: ctcA1,
      primaryFacility: facilityA,
      demographics: amina,
      stamp: stampAt('2026-02-01T09:00:00.000Z'),
      entryId: 'reg' as EntryId,
    }),
  );
}

describe('document repository', () => {
  it('stores a write with its index row before anyone sees it', async () => {
    const { store, repo } = setup();
    const seen: string[] = [];
    repo.onUpdate((id) => seen.push(id));
    await register(repo);
    expect(seen).toEqual([docId]);
    expect((await store.getPatientRow(ctcA1))?.familyName).toBe('Mwakyusa');
    expect((await store.loadUpdates(docId)).length).toBe(1);
  });

  it('a failed write (full disk) changes neither storage nor the live document', async () => {
    const { store, repo } = setup();
    await register(repo);
    const before = Y.encodeStateVector(await repo.get(docId));
    store.failNextCommit('quota-exceeded');
    const seen: string[] = [];
    repo.onUpdate((id) => seen.push(id));
    await expect(
      repo.write(docId, (doc) => appendEntry(doc, visitEntry('v1', '2026-02-01'))),
    ).rejects.toBeInstanceOf(StorageError);
    expect(Y.encodeStateVector(await repo.get(docId))).toEqual(before);
    expect(readPatient(await repo.get(docId)).entries.visit).toHaveLength(0);
    expect(await store.loadUpdates(docId)).toHaveLength(1);
    expect(seen).toEqual([]);
    // The same write succeeds once space is free, and nothing is duplicated.
    await repo.write(docId, (doc) => appendEntry(doc, visitEntry('v1', '2026-02-01')));
    expect(readPatient(await repo.get(docId)).entries.visit).toHaveLength(1);
  });

  it('reloads exactly what was stored', async () => {
    const { store, repo } = setup();
    await register(repo);
    await repo.write(docId, (doc) => appendEntry(doc, visitEntry('v1', '2026-02-01')));
    const reopened = new DocumentRepository({ store, clock });
    const snapshot = readPatient(await reopened.get(docId));
    expect(snapshot.demographics).toEqual(amina);
    expect(snapshot.entries.visit.map((v) => v.id)).toEqual(['v1']);
  });

  it('keeps one client id per open document, so state vectors do not grow per write', async () => {
    const { repo } = setup();
    await register(repo);
    for (let i = 0; i < 5; i += 1) {
      await repo.write(docId, (doc) => appendEntry(doc, visitEntry(`v${i}`, '2026-02-01')));
    }
    const clients = Y.decodeStateVector(Y.encodeStateVector(await repo.get(docId)));
    expect(clients.size).toBe(1);
  });

  it('serialises concurrent writes to one document without losing any', async () => {
    const { repo, store } = setup();
    await register(repo);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        repo.write(docId, (doc) => appendEntry(doc, visitEntry(`v${i}`, '2026-02-01'))),
      ),
    );
    const fresh = new DocumentRepository({ store, clock });
    expect(readPatient(await fresh.get(docId)).entries.visit).toHaveLength(10);
  });

  it('compacts many small updates into one without losing content', async () => {
    const { store, repo } = setup(4);
    await register(repo);
    for (let i = 0; i < 6; i += 1) {
      await repo.write(docId, (doc) => appendEntry(doc, visitEntry(`v${i}`, '2026-02-01')));
    }
    // Compaction runs after the saves resolved, off their path.
    await repo.idle();
    expect((await store.loadUpdates(docId)).length).toBeLessThan(4);
    const fresh = new DocumentRepository({ store, clock });
    expect(readPatient(await fresh.get(docId)).entries.visit).toHaveLength(6);
  });

  it('applies a remote update durably and reports whether it was new', async () => {
    const { repo, store } = setup();
    const remote = new Y.Doc();
    initPatientDoc(remote, {
      ctcId: ctcA1,
      primaryFacility: facilityA,
      demographics: amina,
      stamp: stampAt('2026-02-01T09:00:00.000Z'),
      entryId: 'reg' as EntryId,
    });
    const update = Y.encodeStateAsUpdate(remote);
    expect(await repo.applyRemote(docId, update, 'peer-1')).toEqual({ type: 'applied' });
    expect(await repo.applyRemote(docId, update, 'peer-1')).toEqual({ type: 'unchanged' });
    expect(await store.loadUpdates(docId)).toHaveLength(1);
    expect((await store.getPatientRow(ctcA1))?.givenName).toBe('Amina');
  });

  it('names the facilities whose data an update brought, whichever peer carried it', async () => {
    const { repo } = setup();
    await register(repo);
    const seen: string[][] = [];
    repo.onUpdate((_id, _update, origin, authors) => seen.push([origin, ...authors]));
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(await repo.get(docId)));
    const sv = Y.encodeStateVector(remote);
    appendEntry(remote, {
      ...visitEntry('v-b', '2026-02-02'),
      stamp: stampAt('2026-02-02T09:00:00.000Z', facilityB),
    });
    await repo.applyRemote(docId, Y.encodeStateAsUpdate(remote, sv), 'relay-peer');
    expect(seen).toEqual([['relay-peer', facilityB]]);
  });

  it('a tab that first loads a record another tab already stored still tells its screens', async () => {
    const { store, repo: firstTab } = setup();
    const secondTab = new DocumentRepository({ store, clock });
    const changed: string[] = [];
    secondTab.onDocChanged((id) => changed.push(id));
    const updates: Uint8Array[] = [];
    firstTab.onUpdate((_id, update) => updates.push(update));
    await register(firstTab);
    // The update reaches the second tab after the first tab stored it in the shared database.
    expect(await secondTab.applyRemote(docId, updates[0]!, 'first-tab')).toEqual({
      type: 'unchanged',
    });
    expect(changed).toEqual([docId]);
    expect(readPatient(await secondTab.get(docId)).demographics).toEqual(amina);
  });

  it('rejects a malformed remote update and changes nothing', async () => {
    const { repo, store } = setup();
    await register(repo);
    const before = await store.loadUpdates(docId);
    await expect(
      repo.applyRemote(docId, new Uint8Array([1, 200, 3, 4, 5]), 'peer-x'),
    ).rejects.toThrow(/Malformed/);
    expect(await store.loadUpdates(docId)).toEqual(before);
  });

  it('stores an update whose dependencies have not arrived, and integrates it later', async () => {
    const { repo } = setup();
    const remote = new Y.Doc();
    remote.getArray('visits').push(['first']);
    const first = Y.encodeStateAsUpdate(remote);
    const sv = Y.encodeStateVector(remote);
    remote.getArray('visits').push(['second']);
    const second = Y.encodeStateAsUpdate(remote, sv);
    expect(await repo.applyRemote(docId, second, 'peer')).toEqual({ type: 'applied' });
    expect((await repo.get(docId)).getArray('visits').length).toBe(0);
    await repo.applyRemote(docId, first, 'peer');
    expect((await repo.get(docId)).getArray('visits').toJSON()).toEqual(['first', 'second']);
  });

  it('indexes only the register rows a change touched', async () => {
    const { repo, store } = setup();
    const registerId = registerDocId(facilityA);
    await repo.write(registerId, (doc) => {
      initRegisterDoc(doc, facilityA);
      upsertSummary(doc, {
        ctcId: ctcA1,
        givenName: 'Amina',
        familyName: 'Mwakyusa',
        sex: 'female',
        birthYear: 1990,
        status: 'active',
        registeredAt: '2026-02-01T09:00:00.000Z' as never,
      });
    });
    expect((await store.getDirectoryRow(ctcA1))?.nameTokens).toEqual(['amina', 'mwakyusa']);
    await repo.write(registerId, (doc) =>
      upsertSummary(doc, { ctcId: ctcA1, lastVisitDate: '2026-02-10' as never }),
    );
    expect((await store.getDirectoryRow(ctcA1))?.lastVisitDate).toBe('2026-02-10');
    // A last visit never moves back in time.
    await repo.write(registerId, (doc) =>
      upsertSummary(doc, { ctcId: ctcA1, lastVisitDate: '2026-01-01' as never }),
    );
    expect((await store.getDirectoryRow(ctcA1))?.lastVisitDate).toBe('2026-02-10');
  });
});
