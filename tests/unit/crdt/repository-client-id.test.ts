/**
 * D16, D17: one client id per tab, leased from a per-device pool, so state vectors stop growing
 * with page sessions; reusing an id is safe because stored state is always loaded first.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CtcId, EntryId } from '../../../src/domain/types';
import { patientDocId } from '../../../src/crdt/doc-id';
import { appendEntry, initPatientDoc, readPatient } from '../../../src/crdt/patient-doc';
import { DocumentRepository } from '../../../src/crdt/repository';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { clientIdPoolKey, leaseClientId, type LeaseLocks } from '../../../src/app/client-id-lease';
import { createSeededRandom } from '../../../src/lib/deps';
import { amina, ctcA1, facilityA, stampAt, visitEntry } from './fixtures';

const clock = { now: () => Date.parse('2026-02-01T09:00:00.000Z') };
const docId = patientDocId(ctcA1);
const otherCtcId = '01020003010002' as CtcId;
const otherDocId = patientDocId(otherCtcId);

async function register(repo: DocumentRepository, id = docId) {
  await repo.write(id, (doc) =>
    initPatientDoc(doc, {
      ctcId: id === docId ? ctcA1 : otherCtcId,
      primaryFacility: facilityA,
      demographics: amina,
      stamp: stampAt('2026-02-01T09:00:00.000Z'),
      entryId: 'reg' as EntryId,
    }),
  );
}

const clientsOf = (sv: Uint8Array) => [...Y.decodeStateVector(sv).keys()];

/** Web Locks with `ifAvailable`, in one process: what the browser gives every tab of an origin. */
function fakeLocks(): LeaseLocks & { held: Set<string> } {
  const held = new Set<string>();
  const queues = new Map<string, Promise<unknown>>();
  function request<T>(
    name: string,
    optionsOrCallback: { ifAvailable: true } | ((lock: unknown) => Promise<T>),
    maybeCallback?: (lock: unknown) => Promise<T>,
  ): Promise<T> {
    const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback!;
    const hold = () => {
      held.add(name);
      return callback({ name }).finally(() => held.delete(name));
    };
    if (typeof optionsOrCallback === 'object') {
      return held.has(name) ? callback(null) : hold();
    }
    const run = (queues.get(name) ?? Promise.resolve()).then(hold);
    queues.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  }
  return { held, request };
}

describe('client ids of a repository', () => {
  it('D16 n page sessions of writes leave one state-vector entry per record', async () => {
    const store = createMemoryStore({ clock });
    for (let session = 0; session < 5; session += 1) {
      // A new page session: a new repository, the same leased id.
      const repo = new DocumentRepository({ store, clock, clientId: 4242 });
      if (session === 0) await register(repo);
      await repo.write(docId, (doc) => appendEntry(doc, visitEntry(`v${session}`, '2026-02-01')));
    }
    const info = await store.getDocInfo(docId);
    expect(clientsOf(info!.stateVector)).toEqual([4242]);
    const reopened = new DocumentRepository({ store, clock, clientId: 4242 });
    expect(readPatient(await reopened.get(docId)).entries.visit).toHaveLength(5);
  });

  it('D16 every document of one repository writes under its one client id', async () => {
    const store = createMemoryStore({ clock });
    const repo = new DocumentRepository({ store, clock });
    await register(repo);
    await register(repo, otherDocId);
    const first = clientsOf((await store.getDocInfo(docId))!.stateVector);
    const second = clientsOf((await store.getDocInfo(otherDocId))!.stateVector);
    expect(first).toEqual([repo.clientId]);
    expect(second).toEqual([repo.clientId]);
  });

  it('D17 a reused id writes on from the stored state, also after the record was evicted', async () => {
    const store = createMemoryStore({ clock });
    const first = new DocumentRepository({ store, clock, clientId: 7, cacheLimit: 1 });
    await register(first);
    await first.write(docId, (doc) => appendEntry(doc, visitEntry('v1', '2026-02-01')));
    // Another record pushes this one out of the cache; the next write loads it again.
    await register(first, otherDocId);
    await first.write(docId, (doc) => appendEntry(doc, visitEntry('v2', '2026-02-02')));
    const second = new DocumentRepository({ store, clock, clientId: 7 });
    await second.write(docId, (doc) => appendEntry(doc, visitEntry('v3', '2026-02-03')));
    const live = await second.get(docId);
    expect(live.clientID).toBe(7);
    // A device that receives every stored update sees every visit: no two writes share a clock.
    const peer = new Y.Doc();
    for (const update of await store.loadUpdates(docId)) Y.applyUpdate(peer, update);
    expect(
      readPatient(peer)
        .entries.visit.map((v) => v.id)
        .sort(),
    ).toEqual(['v1', 'v2', 'v3']);
    expect(clientsOf(Y.encodeStateVector(peer))).toEqual([7]);
  });
});

describe('client id lease', () => {
  const seeded = createSeededRandom(20260201);
  const random = () => () => seeded.next();

  it('D16 two tabs open at once never hold the same id', async () => {
    const store = createMemoryStore({ clock });
    const locks = fakeLocks();
    const leases = await Promise.all(
      [1, 2, 3].map(() => leaseClientId({ store, locks, random: random() })),
    );
    const ids = leases.map((lease) => lease.clientId);
    expect(new Set(ids).size).toBe(3);
    expect(await store.getMeta(clientIdPoolKey)).toEqual(ids);
  });

  it('D16 a new page session reuses an id the closed one released', async () => {
    const store = createMemoryStore({ clock });
    const locks = fakeLocks();
    const first = await leaseClientId({ store, locks, random: random() });
    const open = await leaseClientId({ store, locks, random: random() });
    first.release();
    await Promise.resolve();
    const next = await leaseClientId({ store, locks, random: random() });
    expect(next.clientId).toBe(first.clientId);
    expect(next.clientId).not.toBe(open.clientId);
    expect(await store.getMeta(clientIdPoolKey)).toHaveLength(2);
  });

  it('D16 the pool stays small; without Web Locks or storage the id is random', async () => {
    const store = createMemoryStore({ clock });
    const locks = fakeLocks();
    const leases = [];
    for (let i = 0; i < 4; i += 1) {
      leases.push(await leaseClientId({ store, locks, random: random(), poolSize: 2 }));
    }
    expect(await store.getMeta(clientIdPoolKey)).toHaveLength(2);
    expect(new Set(leases.map((lease) => lease.clientId)).size).toBe(4);

    const noLocks = await leaseClientId({ store, locks: undefined, random: () => 0.5 });
    expect(noLocks.clientId).toBeGreaterThan(0);
    await store.close();
    const noStorage = await leaseClientId({ store, locks: fakeLocks(), random: () => 0.25 });
    expect(noStorage.clientId).toBeGreaterThan(0);
  });
});
