/**
 * A victim on the real stack (Dexie on fake-indexeddb, the repository with the update policy
 * wired as the app wires it, the replica host, the engine) and hostile or friendly peers that
 * run a real engine over in-memory documents, so every attack travels as real protocol frames.
 */
import { expect } from 'vitest';
import * as Y from 'yjs';
import { createReplicaHost } from '../../../src/app/replica-host';
import type { ClinicService, DeviceProfile } from '../../../src/app/views';
import type { DocId } from '../../../src/crdt/doc-id';
import type { DocumentRepository } from '../../../src/crdt/repository';
import type { CtcId } from '../../../src/domain/types';
import { createDexieStore, type DexieStore } from '../../../src/storage/dexie-store';
import {
  createMemoryHost,
  createMemoryNetwork,
  createSyncEngine,
  type MemoryHost,
  type MemoryNetwork,
  type SyncEngine,
  type SyncLogger,
} from '../../../src/sync';
import { aminaForm, setupInput, testClock, visitForm } from '../app/harness';
import { createClinic } from '../app/device';

export const FAC = setupInput.facilityCode;

export interface LoggedEvent {
  event: string;
  details: Record<string, unknown>;
}

export function recordingLogger(): SyncLogger & { events: LoggedEvent[] } {
  const events: LoggedEvent[] = [];
  return {
    events,
    log(_level, event, details) {
      events.push({ event, details: details });
    },
  };
}

export interface Victim {
  service: ClinicService;
  store: DexieStore;
  repo: DocumentRepository;
  engine: SyncEngine;
  logger: ReturnType<typeof recordingLogger>;
  profile: DeviceProfile;
  amina: CtcId;
}

let databases = 0;

/** `policy: false` builds the victim as the code before the policy did (to see a test fail). */
export async function createVictim(
  net: MemoryNetwork,
  options: { policy?: boolean; name?: string; facilityCode?: string; facilityName?: string } = {},
): Promise<Victim> {
  const name = options.name ?? 'victim';
  const clock = testClock('2026-03-10T09:00:00.000Z');
  const store = createDexieStore({ name: `policy-wire-${++databases}-${Date.now()}`, clock });
  await store.open();
  const policy = options.policy !== false && process.env.POLICY_OFF !== '1';
  const { service, repo } = createClinic({ name, clock, store: () => store, appPolicy: policy });
  const setup = await service.setupDevice({
    ...setupInput,
    ...(options.facilityCode ? { facilityCode: options.facilityCode } : {}),
    ...(options.facilityName ? { facilityName: options.facilityName } : {}),
  });
  if (!setup.ok) throw new Error('setup failed');
  const registered = await service.registerPatient(aminaForm, { acknowledgeDuplicate: true });
  if (!registered.ok) throw new Error(`registration failed: ${JSON.stringify(registered.error)}`);
  const visit = await service.recordVisit(registered.value, visitForm('2026-03-10', '2026-04-07'));
  if (!visit.ok) throw new Error('visit failed');
  const host = createReplicaHost(repo, store);
  await host.init();
  const logger = recordingLogger();
  const engine = createSyncEngine({
    host,
    deviceId: setup.value.deviceId,
    facility: setup.value.facility.code,
    transports: [net.node(name)],
    logger,
    clock,
  });
  return { service, store, repo, engine, logger, profile: setup.value, amina: registered.value };
}

export interface MemoryPeer {
  host: MemoryHost;
  engine: SyncEngine;
  /** Has the engine send raw update bytes as if they were a local change (never applied here). */
  inject(docId: DocId, update: Uint8Array): void;
}

export function createMemoryPeer(net: MemoryNetwork, id: string, facility = FAC): MemoryPeer {
  const base = createMemoryHost();
  type Listener = Parameters<MemoryHost['onDocUpdate']>[0];
  const listeners = new Set<Listener>();
  const host: MemoryHost = {
    ...base,
    onDocUpdate(listener) {
      listeners.add(listener);
      const off = base.onDocUpdate(listener);
      return () => {
        listeners.delete(listener);
        off();
      };
    },
  };
  const engine = createSyncEngine({
    host,
    deviceId: `${id}-device`,
    facility,
    transports: [net.node(id)],
    logger: recordingLogger(),
  });
  const inject = (docId: DocId, update: Uint8Array) => {
    for (const listener of listeners) listener(docId, [update], 'local');
  };
  return { host, engine, inject };
}

/** Let frames and storage settle (IndexedDB work is asynchronous, outside the scheduler). */
export async function settle(net: MemoryNetwork, rounds = 12): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await net.flush();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Everything the victim has stored, read back from storage (not from live documents). */
export async function storedState(store: DexieStore): Promise<string> {
  const out: unknown[] = [];
  for (const info of (await store.listDocs()).sort((a, b) => (a.docId < b.docId ? -1 : 1))) {
    const doc = new Y.Doc();
    for (const update of await store.loadUpdates(info.docId)) Y.applyUpdate(doc, update);
    const roots: Record<string, unknown> = {};
    for (const name of [...doc.share.keys()].sort()) {
      const type = doc.share.get(name)!;
      roots[name] = type._map.size > 0 ? doc.getMap(name).toJSON() : doc.getArray(name).toJSON();
    }
    out.push([info.docId, roots, [...Y.encodeStateVector(doc)]]);
  }
  return JSON.stringify(out);
}

export function refusalsOf(victim: Victim, docId?: DocId): LoggedEvent[] {
  return victim.logger.events.filter(
    (e) => e.event === 'sync.update-refused' && (docId === undefined || e.details.docId === docId),
  );
}

export function connectedTo(engine: SyncEngine, deviceId: string): boolean {
  return engine.status().peers.some((peer) => peer.deviceId === deviceId && peer.connected);
}

/** The world of every attack: the victim, an evil peer and a friend only the victim meets. */
export async function world(options: { policy?: boolean } = {}) {
  const net = createMemoryNetwork({ seed: 17 });
  const victim = await createVictim(net, options);
  const evil = createMemoryPeer(net, 'evil');
  const friend = createMemoryPeer(net, 'friend');
  net.link('victim', 'evil');
  net.link('victim', 'friend');
  await settle(net);
  expect(connectedTo(victim.engine, 'evil-device')).toBe(true);
  return { net, victim, evil, friend };
}

/** Drop and re-open the evil peer's link `times` times, letting each session reconcile. */
export async function reconnectEvil(net: MemoryNetwork, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    net.unlink('victim', 'evil');
    await settle(net, 3);
    net.link('victim', 'evil');
    await settle(net);
  }
}
