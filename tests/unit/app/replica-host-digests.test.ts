/**
 * Z3–Z5: the app's replica host answers state vectors of closed documents from one bulk read of
 * storage, so the first reconnect after a start costs no storage read per document; it stays
 * right after local writes and after another tab's writes. Real repository over a Dexie store on
 * fake-indexeddb, behind a wrapper that counts reads.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createReplicaHost } from '../../../src/app/replica-host';
import { patientDocId, type DocId } from '../../../src/crdt/doc-id';
import type { DocumentStore, DocWrite } from '../../../src/crdt/ports';
import { DocumentRepository } from '../../../src/crdt/repository';
import type { CtcId } from '../../../src/domain/types';
import { createDexieStore, type DexieStore } from '../../../src/storage/dexie-store';
import { createSeededRandom } from '../../../src/lib/deps';
import { createMemoryNetwork, createSyncEngine } from '../../../src/sync';
import { applyOne, testClock } from './harness';

const readMethods = ['loadUpdates', 'listDocs', 'getDocInfo'] as const;

/** The store, counting every read a caller makes of it. */
export function countingStore<S extends DocumentStore>(
  store: S,
): { store: S; reads: () => number } {
  let reads = 0;
  const counted = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if ((readMethods as readonly PropertyKey[]).includes(key)) {
        return (...args: unknown[]) => {
          reads += 1;
          return method.apply(target, args);
        };
      }
      return method.bind(target);
    },
  });
  return { store: counted, reads: () => reads };
}

const ctcOf = (n: number) => `0102000301${String(n).padStart(4, '0')}` as CtcId;

/** Documents stored as a peer's catch-up would leave them: one update each. */
function patientWrites(count: number): DocWrite[] {
  const writes: DocWrite[] = [];
  for (let n = 1; n <= count; n++) {
    const doc = new Y.Doc();
    doc.clientID = 1_000 + n;
    doc.getMap('meta').set('ctcId', ctcOf(n));
    writes.push({
      docId: patientDocId(ctcOf(n)),
      kind: 'patient',
      update: Y.encodeStateAsUpdate(doc),
      stateVector: Y.encodeStateVector(doc),
    });
  }
  return writes;
}

async function openStore(factory: IDBFactory, clock: ReturnType<typeof testClock>) {
  const store = createDexieStore({ name: 'digests', indexedDB: factory, IDBKeyRange, clock });
  await store.open();
  return store;
}

async function seededDevice(count: number) {
  const factory = new IDBFactory();
  const clock = testClock('2026-03-10T09:00:00.000Z');
  const seed = await openStore(factory, clock);
  await seed.commitMany(patientWrites(count));
  await seed.close();
  return { factory, clock };
}

/** A start of the app on that storage: a fresh repository and host, counted. */
async function start(factory: IDBFactory, clock: ReturnType<typeof testClock>) {
  const dexie: DexieStore = await openStore(factory, clock);
  const { store, reads } = countingStore(dexie);
  const repo = new DocumentRepository({ store, clock });
  const host = createReplicaHost(repo, store, { clock, refreshAfterMs: 60_000 });
  await host.init();
  return { dexie, store, repo, host, reads };
}

/** What the engine does before its first reconcile frame: a state vector per held document. */
async function allStateVectors(host: ReturnType<typeof createReplicaHost>) {
  const svs = new Map<DocId, Uint8Array>();
  for (const docId of host.holdings()) svs.set(docId, await host.stateVector(docId));
  return svs;
}

describe('replica host digests (Z3–Z5)', () => {
  it('Z3: after a start, the state vectors of 2,500 closed documents cost at most 1 storage read per 1,000', async () => {
    const count = 2_500;
    const { factory, clock } = await seededDevice(count);
    const device = await start(factory, clock);

    const before = device.reads();
    const svs = await allStateVectors(device.host);

    expect(svs.size).toBe(count);
    expect(device.reads()).toBeLessThanOrEqual(Math.ceil(count / 1_000));
    expect(device.reads() - before).toBe(0);
    // And they are the stored ones.
    for (const write of patientWrites(3)) {
      expect(svs.get(write.docId)).toEqual(write.stateVector);
    }
    await device.dexie.close();
  });

  it('Z3: a restarted device reconciles 1,500 documents with a peer on at most 2 storage reads', async () => {
    const count = 1_500;
    const { factory, clock } = await seededDevice(count);
    const peer = await start(factory, clock);
    const device = await start(factory, clock);
    const net = createMemoryNetwork({ seed: 3 });
    const engines = [
      { id: 'device', host: device.host },
      { id: 'peer', host: peer.host },
    ].map(({ id, host }, i) =>
      createSyncEngine({
        host,
        deviceId: id,
        facility: '01020003',
        transports: [net.node(id)],
        random: createSeededRandom(i + 1),
        clock,
      }),
    );
    net.link('device', 'peer');
    const [engine] = engines;
    const reconciled = () => engine!.status().peers.some((p) => p.lastSyncedAt !== null);
    for (let round = 0; round < 50 && !reconciled(); round++) await net.flush();

    expect(reconciled()).toBe(true);
    // init's bulk read, and nothing per document before or during the reconcile.
    expect(device.reads()).toBeLessThanOrEqual(2);
    for (const e of engines) e.stop();
    await device.dexie.close();
    await peer.dexie.close();
  });

  it('Z4: a write after the start is reflected in the next state vector', async () => {
    const { factory, clock } = await seededDevice(20);
    const device = await start(factory, clock);
    const docId = patientDocId(ctcOf(7));
    const before = await device.host.stateVector(docId);

    await device.repo.write(docId, (doc) => doc.getMap('meta').set('note', 'changed'));

    const after = await device.host.stateVector(docId);
    expect(after).not.toEqual(before);
    expect(after).toEqual(Y.encodeStateVector(await device.repo.get(docId)));
    await device.dexie.close();
  });

  it("Z5: another tab's write is seen once the snapshot is old, with one bulk read", async () => {
    const { factory, clock } = await seededDevice(20);
    const device = await start(factory, clock);
    const docId = patientDocId(ctcOf(3));
    const before = await device.host.stateVector(docId);

    const otherTab = await start(factory, clock);
    await otherTab.repo.write(docId, (doc) => doc.getMap('meta').set('note', 'other tab'));
    const written = Y.encodeStateVector(await otherTab.repo.get(docId));
    expect(written).not.toEqual(before);

    clock.set('2026-03-10T09:05:00.000Z');
    const reads = device.reads();
    const svs = await allStateVectors(device.host);
    expect(svs.get(docId)).toEqual(written);
    // One bulk read; the changed document is asked again and loaded, to announce it (D9).
    expect(device.reads() - reads).toBeLessThanOrEqual(3);
    await device.dexie.close();
    await otherTab.dexie.close();
  });

  it("Z5 D9: another tab's write to a closed document is announced when this tab next loads it", async () => {
    const { factory, clock } = await seededDevice(20);
    const device = await start(factory, clock);
    const docId = patientDocId(ctcOf(5));
    await allStateVectors(device.host); // the first reconcile: answered from the snapshot
    const announced: string[] = [];
    device.host.onDocUpdate((id, _update, origin) => announced.push(`${id} ${origin}`));

    const otherTab = await start(factory, clock);
    await otherTab.repo.write(docId, (doc) => doc.getMap('meta').set('note', 'other tab'));
    // A peer asks this tab for the document: it is loaded, and what the other tab stored is
    // announced, so the engine forwards it to every peer.
    await device.host.changesSince(docId, new Uint8Array([0]));

    expect(announced).toContain(`${docId} storage`);
    await device.dexie.close();
    await otherTab.dexie.close();
  });

  it('Z6: a forgotten document is no longer held, and is held again when it is received', async () => {
    const { factory, clock } = await seededDevice(5);
    const device = await start(factory, clock);
    const docId = patientDocId(ctcOf(2));
    const [write] = patientWrites(2).slice(1);

    await device.repo.remove(docId);
    device.host.forget(docId);
    expect(device.host.holdings().has(docId)).toBe(false);

    const outcome = await applyOne(device.host, docId, write!.update, 'peer' as never);
    expect(outcome.type).toBe('applied');
    expect(device.host.holdings().has(docId)).toBe(true);
    expect(await device.host.stateVector(docId)).toEqual(write!.stateVector);
    await device.dexie.close();
  });
});
