/**
 * The replication engine's view of this device's documents: the persisted repository.
 * Everything stored is held; a remote update is stored durably before it is acknowledged.
 */
import type { DocId } from '../crdt/doc-id';
import type { DocumentStore } from '../crdt/ports';
import { localOrigin, type DocumentRepository } from '../crdt/repository';
import type { PeerId, ReplicaHost } from '../sync';

export interface AppReplicaHost extends ReplicaHost {
  /** Load what storage holds; call once before the engine starts. */
  init(): Promise<void>;
}

export function createReplicaHost(
  repo: DocumentRepository,
  store: DocumentStore,
  options: { isRelay?: () => boolean } = {},
): AppReplicaHost {
  const held = new Set<DocId>();
  const holdingListeners = new Set<(added: readonly DocId[]) => void>();

  const markHeld = (docId: DocId) => {
    if (held.has(docId)) return;
    held.add(docId);
    for (const listener of holdingListeners) listener([docId]);
  };
  repo.onUpdate((docId) => markHeld(docId));

  return {
    async init() {
      for (const info of await store.listDocs()) held.add(info.docId);
    },
    holdings: () => held,
    isRelay: () => options.isRelay?.() ?? false,
    async stateVector(docId) {
      return repo.stateVector(docId);
    },
    async encodeDiff(docId, remoteStateVector) {
      return repo.encodeDiff(docId, remoteStateVector);
    },
    async applyRemoteUpdate(docId, update, from) {
      const outcome = await repo.applyRemote(docId, update, from);
      if (outcome.type !== 'refused') markHeld(docId);
      return outcome;
    },
    onDocUpdate(listener) {
      return repo.onUpdate((docId, update, origin) =>
        listener(docId, update, origin === localOrigin ? 'local' : (origin as PeerId)),
      );
    },
    onHoldingsChanged(listener) {
      holdingListeners.add(listener);
      return () => holdingListeners.delete(listener);
    },
  };
}
