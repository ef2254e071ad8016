/** Test fixtures: replicas (memory host + engine) on a seeded in-memory network. */
import * as Y from 'yjs';
import type { DocId } from '../../../src/crdt/doc-id';
import { createSeededRandom } from '../../../src/lib/deps';
import { createSyncEngine, type SyncEngine } from '../../../src/sync/engine';
import { createMemoryHost, type MemoryHost } from '../../../src/sync/memory-host';
import type { LogLevel, SyncLogger, Timers } from '../../../src/sync/ports';
import type { MemoryNetwork } from '../../../src/sync/transports/memory';
import type { SyncLimits } from '../../../src/sync/limits';

export const FAC_A = '01020001';
export const FAC_B = '01020002';
export const FAC_C = '01020003';

export const patient = (facility: string, serial: number): DocId =>
  `patient:${facility}${String(serial).padStart(6, '0')}` as DocId;
export const register = (facility: string): DocId => `register:${facility}` as DocId;
export const network = 'network' as DocId;

/** The hello fields of protocol 2 (K1, FC1, H2) for raw peers that build hellos by hand. */
export const helloDefaults = {
  clockMs: 0,
  windowMessages: 128,
  windowBytes: 1024 * 1024,
  extrasTotal: 0,
} as const;

export interface LogEntry {
  level: LogLevel;
  event: string;
  details: Readonly<Record<string, unknown>>;
}

export function captureLogger(): SyncLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { entries, log: (level, event, details) => entries.push({ level, event, details }) };
}

/** Timers that fire only when the test advances them. */
export function manualTimers(): Timers & { advance(ms: number): void; now(): number } {
  let now = 0;
  let nextId = 1;
  const pending = new Map<number, { at: number; callback: () => void }>();
  return {
    setTimeout(callback, ms) {
      const id = nextId++;
      pending.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at <= now) {
          pending.delete(id);
          timer.callback();
        }
      }
    },
    now: () => now,
  };
}

export interface Replica {
  id: string;
  facility: string;
  host: MemoryHost;
  engine: SyncEngine;
  logger: ReturnType<typeof captureLogger>;
}

export interface ReplicaOptions {
  relay?: boolean;
  limits?: Partial<SyncLimits>;
  timers?: Timers;
}

export function createReplica(
  net: MemoryNetwork,
  id: string,
  facility: string,
  options: ReplicaOptions = {},
): Replica {
  const host = createMemoryHost({ relay: options.relay ?? false });
  const logger = captureLogger();
  const timers = options.timers ?? manualTimers();
  const engine = createSyncEngine({
    host,
    deviceId: id,
    facility,
    transports: [net.node(id)],
    logger,
    timers,
    clock: { now: () => (timers as ReturnType<typeof manualTimers>).now?.() ?? 0 },
    random: createSeededRandom(id.length * 7919 + id.charCodeAt(0)),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  return { id, facility, host, engine, logger };
}

/** A patient-like doc: demographics map plus append-only visit list. */
export function writeVisit(host: MemoryHost, docId: DocId, note: string): void {
  host.change(docId, (doc) => {
    doc.getArray<Y.Map<unknown>>('visits').push([new Y.Map(Object.entries({ note }))]);
  });
}

export function setField(host: MemoryHost, docId: DocId, key: string, value: string): void {
  host.change(docId, (doc) => doc.getMap('demographics').set(key, value));
}

/** Root types the tests use; Yjs only renders roots that were defined on the doc. */
export const ROOTS = { maps: ['demographics'], arrays: ['visits', 'results', 'corrections'] };

export function snapshotOf(host: MemoryHost, docId: DocId): unknown {
  if (!host.has(docId)) return undefined;
  const doc = host.doc(docId);
  const out: Record<string, unknown> = {};
  for (const name of ROOTS.maps) out[name] = doc.getMap(name).toJSON();
  for (const name of ROOTS.arrays) out[name] = doc.getArray(name).toJSON();
  return out;
}

export function stateVectorOf(host: MemoryHost, docId: DocId): number[] {
  return [...Y.encodeStateVector(host.doc(docId))];
}

export function sortedVisits(host: MemoryHost, docId: DocId): string[] {
  return host
    .doc(docId)
    .getArray<Y.Map<unknown>>('visits')
    .toArray()
    .map((entry) => String(entry.get('note')))
    .sort();
}
