/**
 * The replication engine's view of this device's documents: the persisted repository.
 * Everything stored is held; a remote update is stored durably before it is acknowledged.
 *
 * Z3–Z5: state vectors of closed documents come from one bulk read of storage (`listDocs`) at
 * `init()`, kept up to date on every change this tab sees, so the first reconcile after a start
 * costs no storage read per document. A document changed since is asked of the repository (its
 * live copy when open, one read otherwise) and cached again. Storage is shared by the tabs of a
 * device, so the snapshot is re-read in bulk when it is older than `refreshAfterMs` and a
 * state vector is asked for: one read per reconnect, not one per document.
 */
import * as Y from 'yjs';
import { docKind, networkDocId, type DocId } from '../crdt/doc-id';
import { membershipRoot } from '../crdt/membership-store';
import type { DocInfo, DocumentStore } from '../crdt/ports';
import { localOrigin, type DocumentRepository, type RemoteChange } from '../crdt/repository';
import { storedChangeOf } from '../crdt/trust/change-signer';
import { decodeSignedChange } from '../crdt/trust/signed-change';
import { systemClock, type Clock } from '../lib/deps';
import type { IncomingChange, PeerId, ReplicaHost } from '../sync';

export interface AppReplicaHost extends ReplicaHost {
  /** Load what storage holds; call once before the engine starts. */
  init(): Promise<void>;
  /** Z6: a document removed from storage (pruned) is no longer held. */
  forget(docId: DocId): void;
}

export interface ReplicaHostOptions {
  isRelay?: () => boolean;
  /**
   * WR2: this device's id. A relay makes no changes of its own that peers would take (only the
   * access log of records it served, WR26), so it does not offer the rest: what its setup wrote
   * in the network document and its own register would only be refused by every peer.
   */
  selfId?: string;
  clock?: Clock;
  /** Age after which the bulk snapshot is re-read before answering (other tabs write too). */
  refreshAfterMs?: number;
}

/** A state vector kept as a compact string: one JS string costs far less than a typed array. */
const packStateVector = (sv: Uint8Array): string => String.fromCharCode(...sv);
const unpackStateVector = (packed: string): Uint8Array =>
  Uint8Array.from(packed, (char) => char.charCodeAt(0));

export function createReplicaHost(
  repo: DocumentRepository,
  store: DocumentStore,
  options: ReplicaHostOptions = {},
): AppReplicaHost {
  const clock = options.clock ?? systemClock;
  const refreshAfterMs = options.refreshAfterMs ?? 30_000;
  const held = new Set<DocId>();
  const holdingListeners = new Set<(added: readonly DocId[]) => void>();
  /** Z3: what storage said of each closed document, unless it changed since. */
  const stateVectors = new Map<DocId, string>();
  /** Bumped on every change, so an answer fetched before a change is not cached after it. */
  const generations = new Map<DocId, number>();
  let listedAt = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<void> | undefined;

  /** WR2: what a relay offers of a document: everything but its own non-patient changes. */
  const offered = (docId: DocId, changes: readonly Uint8Array[]): Uint8Array[] => {
    if (!options.selfId || !repo.signs || docKind(docId) === 'patient' || !options.isRelay?.()) {
      return [...changes];
    }
    return changes.filter((bytes) => {
      const decoded = decodeSignedChange(bytes);
      if (!decoded.ok || decoded.value.author !== options.selfId) return true;
      // Its admissions of newcomers are for everyone (WR25).
      return docId === networkDocId && onlyMembershipOps(decoded.value.update);
    });
  };

  const markHeld = (docId: DocId) => {
    if (held.has(docId)) return;
    held.add(docId);
    for (const listener of holdingListeners) listener([docId]);
  };
  const changed = (docId: DocId) => {
    generations.set(docId, (generations.get(docId) ?? 0) + 1);
    stateVectors.delete(docId);
  };
  repo.onUpdate((docId) => {
    changed(docId);
    markHeld(docId);
  });

  /** Z4: one read of every document's info; what differs from the snapshot is asked again. */
  const takeSnapshot = (infos: readonly DocInfo[]) => {
    const added: DocId[] = [];
    const reported: DocInfo[] = [];
    for (const info of infos) {
      const packed = packStateVector(info.stateVector);
      const cached = stateVectors.get(info.docId);
      if (cached === undefined && !generations.has(info.docId)) {
        stateVectors.set(info.docId, packed);
        reported.push(info);
      } else if (cached !== undefined && cached !== packed) {
        // Another tab stored more: the repository reads it (and announces it, D9).
        changed(info.docId);
      }
      if (!held.has(info.docId)) added.push(info.docId);
    }
    rememberReported(repo, reported);
    listedAt = clock.now();
    for (const docId of added) markHeld(docId);
  };

  const refreshIfStale = async () => {
    if (clock.now() - listedAt < refreshAfterMs) return;
    refreshing ??= store
      .listDocs()
      .then(takeSnapshot)
      .finally(() => (refreshing = undefined));
    await refreshing;
  };

  return {
    async init() {
      const infos = await store.listDocs();
      for (const info of infos) held.add(info.docId);
      takeSnapshot(infos);
    },
    holdings: () => held,
    isRelay: () => options.isRelay?.() ?? false,
    async stateVector(docId) {
      await refreshIfStale();
      const cached = stateVectors.get(docId);
      if (cached !== undefined) return unpackStateVector(cached);
      const generation = generations.get(docId) ?? 0;
      const sv = await repo.stateVector(docId);
      if ((generations.get(docId) ?? 0) === generation && held.has(docId)) {
        stateVectors.set(docId, packStateVector(sv));
      }
      return sv;
    },
    async changesSince(docId, remoteStateVector) {
      return offered(docId, await repo.changesSince(docId, remoteStateVector));
    },
    prepareChanges(_docId, changes) {
      if (repo.signs) repo.prepareRemote(changes.map((change) => remoteChangeOf(change, true)));
    },
    async applyRemoteChanges(docId, changes, from, options) {
      const outcomes = await repo.applyRemoteChanges(
        docId,
        changes.map((change) => remoteChangeOf(change, repo.signs)),
        from,
        options,
      );
      if (outcomes.some((outcome) => outcome.type !== 'refused')) markHeld(docId);
      return outcomes;
    },
    onDocUpdate(listener) {
      return repo.onUpdate((docId, _update, origin, _authors, changes) => {
        const sent = offered(docId, changes);
        if (sent.length > 0 || changes.length === 0) {
          listener(docId, sent, origin === localOrigin ? 'local' : (origin as PeerId));
        }
      });
    },
    onHoldingsChanged(listener) {
      holdingListeners.add(listener);
      return () => holdingListeners.delete(listener);
    },
    forget(docId) {
      held.delete(docId);
      changed(docId);
    },
  };
}

/** Whether an update only adds keys to the network document's membership map (WR25). */
function onlyMembershipOps(update: Uint8Array): boolean {
  try {
    const { structs, ds } = Y.decodeUpdate(update);
    if (ds.clients.size > 0) return false;
    return structs.every(
      // A root type's name is what a decoded item holds as its parent.
      (struct) => struct instanceof Y.Item && (struct.parent as unknown) === membershipRoot,
    );
  } catch {
    return false;
  }
}

/**
 * SC14: a change from a peer as the repository stores it: with its envelope when this device
 * keeps signed changes (an envelope that does not decode is left for the policy to refuse).
 */
const storedOf = new WeakMap<Uint8Array, RemoteChange>();

function remoteChangeOf(change: IncomingChange, signs: boolean): RemoteChange {
  if (!signs) return { update: change.update };
  const known = storedOf.get(change.bytes);
  // The update the session checked (E3) is the one applied: its decode is reused (D12).
  if (known) return known.update === change.update ? known : { ...known, update: change.update };
  const made = signedChangeOf(change);
  storedOf.set(change.bytes, made);
  return made;
}

function signedChangeOf(change: IncomingChange): RemoteChange {
  const decoded = decodeSignedChange(change.bytes);
  if (!decoded.ok) return { update: change.update };
  return { update: change.update, change: storedChangeOf(decoded.value, change.bytes) };
}

/**
 * D9: the repository tells what other tabs stored by comparing what it loads with the state
 * vector it last reported for a closed document. State vectors this host reports from its
 * snapshot must count as reported, or another tab's write found on a later load would never be
 * announced (and never forwarded).
 */
function rememberReported(repo: DocumentRepository, infos: readonly DocInfo[]): void {
  if (infos.length > 0) repo.noteKnownStateVectors(infos);
}
