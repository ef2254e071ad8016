/**
 * Issue 9 point 1: a save costs the size of its change, not of its document. Writes and peers'
 * changes go to the live document under its lock, with no copy (D22); nothing not yet stored
 * is read or sent (D21); a failed commit is undone; the register this tab writes stays open
 * (D23).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { CtcId, IsoDateTime } from '../../../src/domain/types';
import { patientDocId, registerDocId } from '../../../src/crdt/doc-id';
import { appendEntry, readPatient } from '../../../src/crdt/patient-doc';
import { initRegisterDoc, registerPatients, upsertSummary } from '../../../src/crdt/register-doc';
import { DocumentRepository } from '../../../src/crdt/repository';
import { StorageError, type DocWrite } from '../../../src/crdt/ports';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { ctcA1, facilityA, visitEntry } from './fixtures';

vi.mock('yjs', async (importOriginal) => {
  const actual = await importOriginal<typeof Y>();
  return { ...actual, encodeStateAsUpdate: vi.fn(actual.encodeStateAsUpdate) };
});

const clock = { now: () => Date.parse('2026-02-01T09:00:00.000Z') };
const registerId = registerDocId(facilityA);
const ctc = (serial: number) => `${facilityA}01${String(serial).padStart(4, '0')}` as CtcId;
const settle = () => new Promise((resolve) => setImmediate(resolve));

function summary(serial: number, status: 'active' | 'died' = 'active') {
  return {
    ctcId: ctc(serial),
    givenName: `Given${serial}`,
    familyName: `Family${serial}`,
    sex: 'female' as const,
    birthYear: 1990,
    status,
    registeredAt: '2026-02-01T09:00:00.000Z' as IsoDateTime,
  };
}

/** A repository holding a register of `patients` summaries, written through it. */
async function heldRegister(patients: number, options: { cacheBytes?: number } = {}) {
  const store = createMemoryStore({ clock });
  const repo = new DocumentRepository({ store, clock, compactAfter: 1_000, ...options });
  await repo.write(registerId, (doc) => {
    initRegisterDoc(doc, facilityA);
    for (let i = 1; i <= patients; i += 1) upsertSummary(doc, summary(i));
  });
  return { store, repo };
}

/** Commits wait until `open()`; the rest of the store works as usual. */
function gate(store: ReturnType<typeof createMemoryStore>) {
  const held: Array<() => void> = [];
  const commit = store.commit.bind(store);
  store.commit = (write: DocWrite) =>
    new Promise<void>((resolve, reject) =>
      held.push(() => void commit(write).then(resolve, reject)),
    );
  return {
    waiting: () => held.length,
    open() {
      store.commit = commit;
      for (const release of held.splice(0)) release();
    },
  };
}

describe('live writes', () => {
  beforeEach(() => {
    vi.mocked(Y.encodeStateAsUpdate).mockClear();
  });

  it('D22 a save to a register of 2,000 never encodes (copies) the register', async () => {
    const { repo, store } = await heldRegister(2_000);
    vi.mocked(Y.encodeStateAsUpdate).mockClear();
    await repo.write(registerId, (doc) => upsertSummary(doc, summary(7, 'died')));
    await repo.writeMany([
      { docId: registerId, mutate: (doc) => upsertSummary(doc, summary(8, 'died')) },
      {
        docId: patientDocId(ctcA1),
        mutate: (doc) => appendEntry(doc, visitEntry('v1', '2026-02-01')),
      },
    ]);
    expect(Y.encodeStateAsUpdate).not.toHaveBeenCalled();
    expect(
      registerPatients(await repo.get(registerId))
        .get(ctc(7))
        ?.get('status'),
    ).toBe('died');
    expect((await store.getDirectoryRow(ctc(8)))?.status).toBe('died');
  });

  it("D22 a peer's change to a large register is applied without a copy", async () => {
    const { repo } = await heldRegister(2_000);
    const peer = new Y.Doc();
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(await repo.get(registerId)));
    const before = Y.encodeStateVector(peer);
    upsertSummary(peer, summary(9, 'died'));
    const change = Y.encodeStateAsUpdate(peer, before);
    vi.mocked(Y.encodeStateAsUpdate).mockClear();
    expect(await repo.applyRemote(registerId, change, 'peer')).toEqual({ type: 'applied' });
    expect(Y.encodeStateAsUpdate).not.toHaveBeenCalled();
    expect(
      registerPatients(await repo.get(registerId))
        .get(ctc(9))
        ?.get('status'),
    ).toBe('died');
  });

  it('D21 replication and readers wait for a commit in flight, then see it', async () => {
    const { repo, store } = await heldRegister(3);
    const peerVector = Y.encodeStateVector(await repo.get(registerId));
    const commits = gate(store);
    const writing = repo.write(registerId, (doc) => upsertSummary(doc, summary(2, 'died')));
    await settle();
    expect(commits.waiting()).toBe(1);
    const results: string[] = [];
    const diff = repo.encodeDiff(registerId, peerVector).then((d) => (results.push('diff'), d));
    const vector = repo.stateVector(registerId).then((v) => (results.push('vector'), v));
    const read = repo.get(registerId).then((d) => (results.push('read'), d));
    await settle();
    expect(results, 'nothing not stored is read or sent').toEqual([]);
    commits.open();
    await writing;
    const peer = new Y.Doc();
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(await read, undefined));
    expect(Y.encodeStateVector(peer)).not.toEqual(peerVector);
    expect(await vector).toEqual(Y.encodeStateVector(await read));
    expect((await diff).byteLength).toBeGreaterThan(2);
    expect(results.sort()).toEqual(['diff', 'read', 'vector']);
  });

  it('D22 a failed commit is undone; the next write reuses the clock and every copy agrees', async () => {
    const { repo, store } = await heldRegister(3);
    const peer = new Y.Doc();
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(await repo.get(registerId)));
    store.failNextCommit('quota-exceeded');
    await expect(
      repo.write(registerId, (doc) => upsertSummary(doc, summary(1, 'died'))),
    ).rejects.toBeInstanceOf(StorageError);
    expect(
      registerPatients(await repo.get(registerId))
        .get(ctc(1))
        ?.get('status'),
    ).toBe('active');
    await repo.write(registerId, (doc) => upsertSummary(doc, summary(2, 'died')));
    Y.applyUpdate(peer, await repo.encodeDiff(registerId, Y.encodeStateVector(peer)));
    const reloaded = new DocumentRepository({ store, clock });
    const stored = await reloaded.get(registerId);
    for (const doc of [peer, stored]) {
      expect(registerPatients(doc).get(ctc(1))?.get('status')).toBe('active');
      expect(registerPatients(doc).get(ctc(2))?.get('status')).toBe('died');
    }
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(await repo.get(registerId)));
  });

  it('D22 a malformed change after a good one in the same batch stores and keeps nothing', async () => {
    const { repo, store } = await heldRegister(3);
    const peer = new Y.Doc();
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(await repo.get(registerId)));
    const before = Y.encodeStateVector(peer);
    upsertSummary(peer, summary(3, 'died'));
    const good = Y.encodeStateAsUpdate(peer, before);
    const storedBefore = await store.loadUpdates(registerId);
    await expect(
      repo.applyRemoteChanges(
        registerId,
        [{ update: good }, { update: new Uint8Array([1, 200, 3, 4, 5]) }],
        'peer',
      ),
    ).rejects.toThrow(/Malformed/);
    expect(await store.loadUpdates(registerId)).toEqual(storedBefore);
    expect(
      registerPatients(await repo.get(registerId))
        .get(ctc(3))
        ?.get('status'),
    ).toBe('active');
  });

  it('D23 the register this tab writes stays open, whatever else is read', async () => {
    const { repo } = await heldRegister(500, { cacheBytes: 2_000 });
    const open = await repo.get(registerId);
    for (let i = 1; i <= 20; i += 1) {
      const id = patientDocId(ctc(i));
      await repo.write(id, (doc) => appendEntry(doc, visitEntry(`v${i}`, '2026-02-01')));
      await repo.get(id);
    }
    expect(await repo.get(registerId), 'not evicted and loaded again').toBe(open);
    expect(readPatient(await repo.get(patientDocId(ctc(3)))).entries.visit).toHaveLength(1);
  });
});
