/**
 * Scale benchmark (issue 7 point 8; rules Z1–Z20 in docs/protocol.md §19): a device
 * holding N patients in 50 registers (every register, and every patient record: a district hub),
 * on the real `DocumentRepository` and the app's replica host, restarted and reconnected to a
 * peer holding the same documents. Storage is the in-memory store (seeding 50,000 documents
 * into Dexie over fake-indexeddb took too long for a routine bench run); on a phone it is
 * IndexedDB, outside the JS heap, so the heap figure leaves the seeded store out (see below).
 *
 * Per size:
 * - `heap_after_sync_bytes`: JS heap after the restarted device's first reconnect has finished
 *   reconciling, minus the heap with the peer already running and the store seeded (both after
 *   a full GC). Counted against the device: its repository, host, engine, session and whatever
 *   the peer's session grew meanwhile (an upper bound).
 * - `cold_reconnect_storage_reads`: storage reads (loadUpdates, listDocs, getDocInfo) of the
 *   device from its start until its first reconcile is done. Baseline: the same with a host
 *   that asks the repository per document (issue 7's "before").
 * - `duplicate_update_ms`: mean time of `applyRemoteChanges` with an update the device already
 *   has (another facility's latest register change, as forwarded by each neighbour). Baseline:
 *   raw `Y.applyUpdate` of the same update onto a Y.Doc holding that register.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import * as Y from 'yjs';
import { createReplicaHost, type AppReplicaHost } from '../../src/app/replica-host';
import { networkDocId, patientDocId, registerDocId, type DocId } from '../../src/crdt/doc-id';
import { initPatientDoc } from '../../src/crdt/patient-doc';
import type { DocumentStore, DocWrite } from '../../src/crdt/ports';
import { initRegisterDoc, upsertSummary } from '../../src/crdt/register-doc';
import { DocumentRepository } from '../../src/crdt/repository';
import type {
  CtcId,
  EntryId,
  FacilityCode,
  IsoDate,
  IsoDateTime,
  UserId,
  DeviceId,
} from '../../src/domain/types';
import { createMemoryStore } from '../../src/storage/memory-store';
import { createSeededRandom } from '../../src/lib/deps';
import { createSyncEngine, type SyncEngine } from '../../src/sync/engine';
import type { PeerId } from '../../src/sync/ports';
import { createMemoryNetwork } from '../../src/sync/transports/memory';
import { interleaved, summarise, type RoundSummary } from './rounds';

const REGISTERS = 50;
const DUPLICATES = 200;
const clock = { now: () => Date.parse('2026-03-10T09:00:00.000Z') };

export interface ScaleFigures {
  patients: number;
  heap_after_sync_bytes: number;
  cold_reconnect_storage_reads: number;
  duplicate_update_ms: number;
}

export interface ScaleBaseline {
  patients: number;
  cold_reconnect_storage_reads_per_document_host: number;
  raw_y_apply_duplicate_ms: number;
  documents: number;
  seconds: number;
}

/** A full GC, with or without `--expose-gc`. */
const gc: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
})();

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const facilityCode = (f: number) => `0102${String(f).padStart(4, '0')}` as FacilityCode;
const ctcIdOf = (f: number, n: number) =>
  `${facilityCode(f)}01${String(n).padStart(4, '0')}` as CtcId;

function docWrite(docId: DocId, doc: Y.Doc, update = Y.encodeStateAsUpdate(doc)): DocWrite {
  const kind =
    docId === networkDocId ? 'network' : docId.startsWith('register:') ? 'register' : 'patient';
  return { docId, kind, update, stateVector: Y.encodeStateVector(doc) };
}

/**
 * What a district's documents look like after a year: a record per patient (registration and
 * demographics log), one register per facility listing its patients. Returns the last change of
 * register 1, which the device then receives again as a duplicate.
 */
async function seedStore(store: DocumentStore, patients: number): Promise<Uint8Array> {
  const perRegister = patients / REGISTERS;
  const network = new Y.Doc();
  network.getMap('meta').set('schema', 1);
  await store.commitMany([docWrite(networkDocId, network)]);
  let lastRegisterChange: Uint8Array | undefined;
  for (let f = 0; f < REGISTERS; f++) {
    const facility = facilityCode(f);
    const register = new Y.Doc();
    register.clientID = 10_000 + f;
    initRegisterDoc(register, facility);
    const writes: DocWrite[] = [];
    for (let n = 1; n <= perRegister; n++) {
      const ctcId = ctcIdOf(f, n);
      const at = '2025-06-01T08:00:00.000Z' as IsoDateTime;
      const record = new Y.Doc();
      record.clientID = 100_000 + f * 10_000 + n;
      const demographics = {
        givenName: `Given${n}`,
        familyName: `Family${f}x${n}`,
        sex: n % 2 === 0 ? ('female' as const) : ('male' as const),
        birthDate: `19${50 + (n % 50)}-04-12` as IsoDate,
        birthDateEstimated: false,
        phone: `07${String(10_000_000 + n)}`,
      };
      initPatientDoc(record, {
        ctcId,
        primaryFacility: facility,
        demographics,
        stamp: {
          userId: 'u1' as UserId,
          userName: 'Neema Mushi',
          role: 'clinician',
          deviceId: 'd1' as DeviceId,
          facilityCode: facility,
          at,
        },
        entryId: `e${f}-${n}` as EntryId,
      });
      writes.push(docWrite(patientDocId(ctcId), record));
      const before = Y.encodeStateVector(register);
      upsertSummary(register, {
        ctcId,
        givenName: demographics.givenName,
        familyName: demographics.familyName,
        sex: demographics.sex,
        birthYear: Number(demographics.birthDate.slice(0, 4)),
        status: 'active',
        registeredAt: at,
        lastVisitDate: '2026-02-01' as IsoDate,
        lastVisitFacility: facility,
      });
      if (f === 1 && n === perRegister) {
        lastRegisterChange = Y.encodeStateAsUpdate(register, before);
      }
      if (writes.length >= 1_000) await store.commitMany(writes.splice(0));
    }
    writes.push(docWrite(registerDocId(facility), register));
    await store.commitMany(writes);
  }
  return lastRegisterChange!;
}

/** The store, counting every read made of it while `counting` is on. */
function countingStore(store: DocumentStore) {
  const state = { reads: 0 };
  const reads = new Set<PropertyKey>(['loadUpdates', 'listDocs', 'getDocInfo']);
  const counted = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (reads.has(key)) state.reads += 1;
        return method.apply(target, args);
      };
    },
  });
  return { store: counted, state };
}

/** Issue 7's host before the fix: every state vector asked of the repository, one read each. */
function perDocumentHost(repo: DocumentRepository, store: DocumentStore): AppReplicaHost {
  const host = createReplicaHost(repo, store, { clock });
  return { ...host, stateVector: (docId) => repo.stateVector(docId) };
}

async function untilReconciled(engine: SyncEngine, flush: () => Promise<void>): Promise<void> {
  for (let round = 0; round < 1_000; round++) {
    await flush();
    if (engine.status().peers.some((peer) => peer.lastSyncedAt !== null)) return;
  }
  throw new Error('no reconcile');
}

interface Device {
  repo: DocumentRepository;
  host: AppReplicaHost;
  engine: SyncEngine;
  reads: { reads: number };
}

async function startDevice(
  store: DocumentStore,
  deviceId: string,
  net: ReturnType<typeof createMemoryNetwork>,
  hostKind: 'bulk' | 'per-document',
): Promise<Device> {
  const counted = countingStore(store);
  const repo = new DocumentRepository({ store: counted.store, clock });
  const host =
    hostKind === 'bulk'
      ? createReplicaHost(repo, counted.store, { clock })
      : perDocumentHost(repo, counted.store);
  await host.init();
  const engine = createSyncEngine({
    host,
    deviceId,
    facility: facilityCode(0),
    transports: [net.node(deviceId)],
    random: createSeededRandom(deviceId.length),
    clock,
  });
  return { repo, host, engine, reads: counted.state };
}

/**
 * The device and its peer read one seeded store (their documents are the same, and idle
 * reconciliation writes nothing), which halves seeding; reads are counted per repository.
 */
async function measure(
  deviceStore: DocumentStore,
  duplicate: Uint8Array,
  hostKind: 'bulk' | 'per-document',
  round = 0,
): Promise<{ heap: number; reads: number; duplicateMs: number; rawMs: number; documents: number }> {
  const peerStore = deviceStore;
  const documents = (await deviceStore.listDocs()).length;

  const net = createMemoryNetwork({ seed: 11 });
  const peer = await startDevice(peerStore, 'peer', net, 'bulk');
  const heapBefore = heapUsed();

  // The device starts (a restart: nothing open) and reconnects.
  const device = await startDevice(deviceStore, 'device', net, hostKind);
  net.link('device', 'peer');
  await untilReconciled(device.engine, () => net.flush());
  const reads = device.reads.reads;
  const heap = heapUsed() - heapBefore;

  // A neighbour forwards register 1's latest change, which the device already has.
  const registerId = registerDocId(facilityCode(1));
  // The bench repository does not sign: the change's bytes are its update.
  const change = { bytes: duplicate, update: duplicate };
  await device.host.applyRemoteChanges(registerId, [change], 'peer' as PeerId);
  const timeDuplicates = async (): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < DUPLICATES; i++) {
      const [outcome] = await device.host.applyRemoteChanges(
        registerId,
        [change],
        'peer' as PeerId,
      );
      if (outcome?.type !== 'unchanged') throw new Error(`duplicate was ${outcome?.type}`);
    }
    return (performance.now() - start) / DUPLICATES;
  };

  const raw = new Y.Doc();
  for (const update of await deviceStore.loadUpdates(registerId)) Y.applyUpdate(raw, update);
  const timeRaw = (): number => {
    const start = performance.now();
    for (let i = 0; i < DUPLICATES; i++) Y.applyUpdate(raw, duplicate);
    return (performance.now() - start) / DUPLICATES;
  };
  // The duplicate and its raw baseline, one after the other, the order alternating by round.
  let duplicateMs: number;
  let rawMs: number;
  if (round % 2 === 0) {
    duplicateMs = await timeDuplicates();
    rawMs = timeRaw();
  } else {
    rawMs = timeRaw();
    duplicateMs = await timeDuplicates();
  }

  device.engine.stop();
  peer.engine.stop();
  return { heap, reads, duplicateMs, rawMs, documents };
}

export interface ScaleRounds {
  count: number;
  order: string;
  sizes: Array<{
    patients: number;
    heap_after_sync_bytes: RoundSummary;
    duplicate_update_ms: RoundSummary;
    raw_y_apply_duplicate_ms: RoundSummary;
    duplicate_over_raw: RoundSummary;
    /** Store reads are counts, expected equal in every round. */
    cold_reconnect_storage_reads: RoundSummary;
    cold_reconnect_storage_reads_per_document_host: RoundSummary;
  }>;
}

export async function scaleBench(
  sizes: readonly number[] = [5_000, 50_000],
  rounds = 3,
): Promise<{ scale: ScaleFigures[]; baseline: ScaleBaseline[]; rounds: ScaleRounds }> {
  const scale: ScaleFigures[] = [];
  const baseline: ScaleBaseline[] = [];
  const perSize: ScaleRounds['sizes'] = [];
  for (const patients of sizes) {
    const started = performance.now();
    const store = createMemoryStore({ clock });
    const duplicate = await seedStore(store, patients);
    // The app's host and the per-document host reconnect in turn, alternating, `rounds` times.
    const { a: bulks, b: befores } = await interleaved(
      Math.max(3, rounds),
      (round) => measure(store, duplicate, 'bulk', round),
      (round) => measure(store, duplicate, 'per-document', round),
    );
    // Store reads are counts and expected equal in every round; the rounds show whether they were.
    const readRounds = summarise(
      bulks.map((b) => b.reads),
      0,
    );
    const beforeReadRounds = summarise(
      befores.map((b) => b.reads),
      0,
    );
    const reads = readRounds.median;
    const beforeReads = beforeReadRounds.median;
    const heap = summarise(
      bulks.map((b) => b.heap),
      0,
    );
    const dup = summarise(bulks.map((b) => b.duplicateMs));
    const raw = summarise(bulks.map((b) => b.rawMs));
    scale.push({
      patients,
      heap_after_sync_bytes: heap.median,
      cold_reconnect_storage_reads: reads,
      duplicate_update_ms: dup.median,
    });
    baseline.push({
      patients,
      cold_reconnect_storage_reads_per_document_host: beforeReads,
      raw_y_apply_duplicate_ms: raw.median,
      documents: bulks[0]!.documents,
      seconds: Math.round((performance.now() - started) / 1000),
    });
    perSize.push({
      patients,
      heap_after_sync_bytes: heap,
      duplicate_update_ms: dup,
      raw_y_apply_duplicate_ms: raw,
      duplicate_over_raw: summarise(bulks.map((b) => b.duplicateMs / b.rawMs)),
      cold_reconnect_storage_reads: readRounds,
      cold_reconnect_storage_reads_per_document_host: beforeReadRounds,
    });
    console.log(JSON.stringify({ ...scale.at(-1), ...baseline.at(-1) }));
  }
  return {
    scale,
    baseline,
    rounds: {
      count: Math.max(3, rounds),
      order:
        'app host and per-document host alternate, app host first in even rounds; in each app-host round the duplicate and the raw Y.applyUpdate alternate which goes first',
      sizes: perSize,
    },
  };
}
