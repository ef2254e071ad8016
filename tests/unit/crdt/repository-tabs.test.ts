/**
 * Tabs of one device (docs/protocol.md §18, D1–D20): every tab is its own
 * `DocumentRepository` over the device's one Dexie database (fake-indexeddb: same name, same
 * factory), so tabs share storage but not their open documents.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import * as Y from 'yjs';
import type { EntryId } from '../../../src/domain/types';
import { patientDocId, type DocId } from '../../../src/crdt/doc-id';
import { appendEntry, initPatientDoc, readPatient } from '../../../src/crdt/patient-doc';
import { DocumentRepository } from '../../../src/crdt/repository';
import { createReplicaHost } from '../../../src/app/replica-host';
import { createDexieStore, type DexieStore } from '../../../src/storage/dexie-store';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { createSeededRandom } from '../../../src/lib/deps';
import {
  createMemoryNetwork,
  createSyncEngine,
  silentLogger,
  type MemoryNetwork,
  type SyncEngine,
} from '../../../src/sync';
import { amina, ctcA1, facilityA, stampAt, visitEntry } from './fixtures';

const clock = { now: () => Date.parse('2026-02-01T09:00:00.000Z') };
const docId = patientDocId(ctcA1);

const opened: Array<{ store: DexieStore; engine?: SyncEngine }> = [];
afterEach(async () => {
  for (const { store, engine } of opened.splice(0)) {
    engine?.stop();
    await store.close();
  }
});

/** A tab: its own repository over the device's database. */
function openTab(idb: IDBFactory, options: { compactAfter?: number; cacheLimit?: number } = {}) {
  const store = createDexieStore({ name: 'pamoja', indexedDB: idb, IDBKeyRange, clock });
  const repo = new DocumentRepository({ store, clock, ...options });
  opened.push({ store });
  return { store, repo };
}

async function register(repo: DocumentRepository, id: DocId = docId) {
  await repo.write(id, (doc) =>
    initPatientDoc(doc, {
      ctcId: ctcA1,
      primaryFacility: facilityA,
      demographics: amina,
      stamp: stampAt('2026-02-01T09:00:00.000Z'),
      entryId: 'reg' as EntryId,
    }),
  );
}

const visit = (repo: DocumentRepository, id: string, date = '2026-02-01') =>
  repo.write(docId, (doc) => appendEntry(doc, visitEntry(id, date)));

/** What a fresh tab (or a restart) reads from storage. */
async function storedVisits(idb: IDBFactory): Promise<string[]> {
  const { repo } = openTab(idb);
  return readPatient(await repo.get(docId))
    .entries.visit.map((v) => v.id)
    .sort();
}

describe('tabs of one device: compaction', () => {
  it('D3 compaction in one tab never deletes a visit another tab saved while their link was down', async () => {
    const idb = new IDBFactory();
    const a = openTab(idb, { compactAfter: 3 });
    const b = openTab(idb, { compactAfter: 100 });
    await register(a.repo);
    // Both tabs have the record open; their tab link is down, so neither sees the other's write.
    await b.repo.get(docId);
    await visit(b.repo, 'from-b');
    await visit(a.repo, 'from-a-1');
    await visit(a.repo, 'from-a-2'); // tab A's third stored update: it compacts

    expect(await storedVisits(idb)).toEqual(['from-a-1', 'from-a-2', 'from-b']);
    // D2: the stored state vector claims exactly what is stored, so peers send what is not.
    const stored = new Y.Doc();
    for (const update of await a.store.loadUpdates(docId)) Y.applyUpdate(stored, update);
    const info = await a.store.getDocInfo(docId);
    expect(Y.decodeStateVector(info!.stateVector)).toEqual(
      Y.decodeStateVector(Y.encodeStateVector(stored)),
    );
  });

  it('D3 compactions in both tabs, interleaved with writes, keep every visit', async () => {
    const idb = new IDBFactory();
    const a = openTab(idb, { compactAfter: 2 });
    const b = openTab(idb, { compactAfter: 2 });
    await register(a.repo);
    await b.repo.get(docId);
    const written: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const tab = i % 3 === 0 ? b : a;
      const id = `v${i}`;
      written.push(id);
      await visit(tab.repo, id);
    }
    expect(await storedVisits(idb)).toEqual(written.sort());
  });
});

/** Delivers on both networks until nothing is in flight and storage work is done. */
async function settle(...networks: MemoryNetwork[]): Promise<void> {
  for (let round = 0; round < 50; round += 1) {
    for (const net of networks) await net.flush();
    await new Promise((resolve) => setImmediate(resolve));
    if (networks.every((net) => net.inFlight() === 0)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (networks.every((net) => net.inFlight() === 0)) return;
    }
  }
  throw new Error('networks did not settle');
}

/** A tab that replicates: repository, replica host and engine, as the app wires them. */
async function replicatingTab(idb: IDBFactory, deviceId: string, seed: number) {
  const { store, repo } = openTab(idb);
  const host = createReplicaHost(repo, store);
  await host.init();
  const engine = createSyncEngine({
    host,
    deviceId,
    facility: facilityA,
    logger: silentLogger,
    clock,
    random: createSeededRandom(seed),
  });
  opened.push({ store, engine });
  return { store, repo, engine };
}

describe('tabs of one device: the tab that runs WebRTC forwards what other tabs stored', () => {
  async function twoTabsAndAnotherDevice() {
    const device = new IDBFactory();
    const tabNet = createMemoryNetwork({ seed: 11 });
    const deviceNet = createMemoryNetwork({ seed: 12 });
    const leader = await replicatingTab(device, 'd0', 1);
    const follower = await replicatingTab(device, 'd0', 2);
    const other = await replicatingTab(new IDBFactory(), 'd1', 3);
    leader.engine.addTransport(tabNet.node('leader'));
    follower.engine.addTransport(tabNet.node('follower'));
    tabNet.link('leader', 'follower');
    const detachLeader = leader.engine.addTransport(deviceNet.node('d0'));
    other.engine.addTransport(deviceNet.node('d1'));
    deviceNet.link('d0', 'd1');
    await settle(tabNet, deviceNet);
    /** The leading tab restarts: the record is closed in it; it reconciles with the other device. */
    const restartLeader = async () => {
      detachLeader();
      tabNet.unlink('leader', 'follower');
      leader.engine.stop();
      const restarted = await replicatingTab(device, 'd0', 4);
      restarted.engine.addTransport(tabNet.node('leader-2'));
      tabNet.link('leader-2', 'follower');
      restarted.engine.addTransport(deviceNet.node('d0-2'));
      deviceNet.link('d0-2', 'd1');
      await settle(tabNet, deviceNet);
      return restarted;
    };
    return { tabNet, deviceNet, leader, follower, other, restartLeader };
  }

  it('D9 a record registered in a tab that does not lead reaches another device', async () => {
    const { tabNet, deviceNet, follower, other } = await twoTabsAndAnotherDevice();
    // The follower registers a patient the leader has never opened.
    await register(follower.repo);
    await settle(tabNet, deviceNet);
    expect(await other.repo.isStored(docId), 'forwarded by the leading tab').toBe(true);
  });

  it('D9 a visit saved in a tab that does not lead reaches another device after a reconnect (no stale digest)', async () => {
    const { tabNet, deviceNet, leader, follower, other, restartLeader } =
      await twoTabsAndAnotherDevice();
    await register(leader.repo);
    await settle(tabNet, deviceNet);
    expect(await other.repo.isStored(docId)).toBe(true);
    await restartLeader();
    // While the devices are apart, the follower records a visit; the leader hears of it only
    // over the tab link, for a record it has not opened.
    deviceNet.unlink('d0-2', 'd1');
    await settle(tabNet, deviceNet);
    await visit(follower.repo, 'from-follower');
    await settle(tabNet, deviceNet);
    deviceNet.link('d0-2', 'd1');
    await settle(tabNet, deviceNet);

    const visits = readPatient(await other.repo.get(docId)).entries.visit.map((v) => v.id);
    expect(visits, 'not falsely in sync after reconnecting').toEqual(['from-follower']);
  });

  it('D9 a tab that reads a state vector from storage announces what another tab stored since', async () => {
    // One memory store shared by two repositories: shared storage without the D10 signal, as
    // when a signal is lost.
    const store = createMemoryStore({ clock });
    const a = { repo: new DocumentRepository({ store, clock }) };
    const b = { repo: new DocumentRepository({ store, clock }) };
    await register(b.repo);
    // Tab A reports the record's state vector (replication caches a digest of it).
    const reported = await a.repo.stateVector(docId);
    const announced: Array<{ origin: string; update: Uint8Array }> = [];
    a.repo.onUpdate((_id, update, origin) => announced.push({ origin, update }));
    await visit(b.repo, 'from-b');
    const now = await a.repo.stateVector(docId);
    expect(announced).toHaveLength(1);
    expect(announced[0]?.origin).toBe('storage');
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, Y.encodeStateAsUpdate(await b.repo.get(docId)));
    expect(Y.decodeStateVector(now)).toEqual(Y.decodeStateVector(Y.encodeStateVector(fresh)));
    expect(Y.decodeStateVector(now)).not.toEqual(Y.decodeStateVector(reported));
    // Nothing new: nothing announced again.
    await a.repo.stateVector(docId);
    expect(announced).toHaveLength(1);
  });

  it('D10 a record open in one tab shows what another tab stored, with the tab link down, and only on that device', async () => {
    const idb = new IDBFactory();
    const a = openTab(idb);
    const b = openTab(idb);
    const elsewhere = openTab(new IDBFactory());
    await register(b.repo);
    const live = await a.repo.get(docId);
    await elsewhere.repo.get(docId);
    const announced: string[] = [];
    a.repo.onUpdate((_id, _update, origin) => announced.push(origin));
    const elsewhereHeard: string[] = [];
    elsewhere.repo.onUpdate((_id, _update, origin) => elsewhereHeard.push(origin));

    await visit(b.repo, 'from-b');
    await until(() => readPatient(live).entries.visit.length === 1);
    expect(readPatient(live).entries.visit.map((v) => v.id)).toEqual(['from-b']);
    expect(announced).toEqual(['storage']);
    expect(elsewhereHeard).toEqual([]);
    expect(readPatient(await elsewhere.repo.get(docId)).demographics).toBeUndefined();
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
