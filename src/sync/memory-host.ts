/**
 * A `ReplicaHost` over plain in-memory Y.Docs: for tests, the benchmark and a headless relay.
 * Remote updates are validated (fully decoded) before they touch a document.
 */
import * as Y from 'yjs';
import type { DocId } from '../crdt/doc-id';
import type { RemoteOutcome } from '../crdt/policy/refusal';
import type { PeerId, ReplicaHost } from './ports';
import { validateUpdate } from './validate-update';

export interface MemoryHostOptions {
  relay?: boolean;
}

export interface HostCounters {
  stateVector: number;
  /** Catch-ups computed (`changesSince`). */
  encodeDiff: number;
  /** Changes from peers applied or found known. */
  applyRemoteUpdate: number;
}

export interface MemoryHost extends ReplicaHost {
  /** The doc, created (and so held) if absent. Local edits on it are forwarded by the engine. */
  doc(docId: DocId): Y.Doc;
  has(docId: DocId): boolean;
  /** Edits a doc in one local transaction. */
  change(docId: DocId, edit: (doc: Y.Doc) => void): void;
  readonly counters: HostCounters;
}

class RemoteOrigin {
  constructor(readonly peer: PeerId) {}
}

export function createMemoryHost(options: MemoryHostOptions = {}): MemoryHost {
  const docs = new Map<DocId, Y.Doc>();
  const held = new Set<DocId>();
  const updateListeners = new Set<
    (docId: DocId, changes: readonly Uint8Array[], origin: PeerId | 'local') => void
  >();
  const holdingListeners = new Set<(added: readonly DocId[]) => void>();
  const counters: HostCounters = { stateVector: 0, encodeDiff: 0, applyRemoteUpdate: 0 };

  function doc(docId: DocId): Y.Doc {
    let existing = docs.get(docId);
    if (existing) return existing;
    existing = new Y.Doc();
    existing.on('update', (update: Uint8Array, origin: unknown) => {
      const from = origin instanceof RemoteOrigin ? origin.peer : 'local';
      for (const listener of updateListeners) listener(docId, [update], from);
    });
    docs.set(docId, existing);
    held.add(docId);
    for (const listener of holdingListeners) listener([docId]);
    return existing;
  }

  function applyOne(docId: DocId, update: Uint8Array, from: PeerId): Promise<RemoteOutcome> {
    counters.applyRemoteUpdate++;
    const valid = validateUpdate(update);
    if (!valid.ok) return Promise.reject(new Error(valid.error));
    try {
      const target = doc(docId);
      const before = Y.encodeStateVector(target);
      Y.applyUpdate(target, valid.value, new RemoteOrigin(from));
      const same = equalBytes(before, Y.encodeStateVector(target));
      return Promise.resolve(same ? { type: 'unchanged' as const } : { type: 'applied' as const });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  return {
    doc,
    has: (docId) => held.has(docId),
    change(docId, edit) {
      const target = doc(docId);
      target.transact(() => edit(target));
    },
    counters,
    holdings: () => held,
    isRelay: () => options.relay ?? false,
    stateVector(docId) {
      counters.stateVector++;
      const existing = docs.get(docId);
      return Promise.resolve(existing ? Y.encodeStateVector(existing) : new Uint8Array([0]));
    },
    changesSince(docId, remoteStateVector) {
      counters.encodeDiff++;
      const existing = docs.get(docId) ?? new Y.Doc();
      // A host that does not sign sends one diff, as Yjs computes it.
      return Promise.resolve([Y.encodeStateAsUpdate(existing, remoteStateVector)]);
    },
    async applyRemoteChanges(docId, changes, from) {
      const outcomes = [];
      for (const change of changes) outcomes.push(await applyOne(docId, change.update, from));
      return outcomes;
    },
    onDocUpdate(listener) {
      updateListeners.add(listener);
      return () => updateListeners.delete(listener);
    },
    onHoldingsChanged(listener) {
      holdingListeners.add(listener);
      return () => holdingListeners.delete(listener);
    },
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
