import * as Y from 'yjs';
import type { DocumentStore, DocWrite, PatientQueries, StoredChange } from '../crdt/ports';
import { StorageError } from '../crdt/ports';
import { docKind, isDocId, type DocId } from '../crdt/doc-id';

/** What an adapter gives the app: the two ports plus its own lifecycle. */
export interface LocalStore extends DocumentStore, PatientQueries {
  /** Releases the connection; the data stays. */
  close(): Promise<void>;
  /** Removes every stored document, row and setting of this store. */
  delete(): Promise<void>;
}

/**
 * Writes come from our own record layer, so a bad one is a bug upstream; rejecting it keeps
 * a wrong id or kind from ever reaching disk, where it would outlive the bug by years.
 */
export function checkWrite(write: DocWrite): void {
  if (!isDocId(write.docId)) {
    throw new StorageError(
      'write-failed',
      `commit refused: "${String(write.docId)}" is not a document id`,
    );
  }
  if (docKind(write.docId) !== write.kind) {
    throw new StorageError(
      'write-failed',
      `commit refused: ${write.docId} is a ${docKind(write.docId)} document, not ${write.kind}`,
    );
  }
  if (!(write.update instanceof Uint8Array) || write.update.byteLength === 0) {
    throw new StorageError('write-failed', `commit refused: empty update for ${write.docId}`);
  }
  if (!(write.stateVector instanceof Uint8Array)) {
    throw new StorageError(
      'write-failed',
      `commit refused: missing state vector for ${write.docId}`,
    );
  }
  checkChanges(write);
  const patient = write.projection?.patient;
  if (patient && write.docId !== `patient:${patient.ctcId}`) {
    throw new StorageError(
      'write-failed',
      `commit refused: ${write.docId} cannot project the row of patient ${patient.ctcId}`,
    );
  }
}

/** SC14: a signed change is kept for years and re-sent as is, so a malformed one never lands. */
function checkChanges(write: DocWrite): void {
  const changes: unknown = write.changes;
  if (changes === undefined) return;
  if (!Array.isArray(changes)) {
    throw new StorageError(
      'write-failed',
      `commit refused: the changes of ${write.docId} must be an array`,
    );
  }
  for (const change of changes as unknown[]) {
    const { id, bytes, reach } = (change ?? {}) as Partial<StoredChange>;
    if (typeof id !== 'string' || id.length === 0) {
      throw new StorageError(
        'write-failed',
        `commit refused: a change of ${write.docId} has no id`,
      );
    }
    if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) {
      throw new StorageError(
        'write-failed',
        `commit refused: change ${id} of ${write.docId} has no bytes`,
      );
    }
    if (!(reach instanceof Uint8Array)) {
      throw new StorageError(
        'write-failed',
        `commit refused: change ${id} of ${write.docId} has no reach`,
      );
    }
  }
}

/**
 * D3: the one merged update of a compaction, made of exactly the updates it is given (those the
 * store's transaction read), with the state vector of that content. Merged through a document
 * rather than `Y.mergeUpdates`, so deleted content is garbage-collected; updates still waiting
 * for a dependency stay in the merged update (Yjs encodes pending structs too) and are not
 * claimed by the state vector, so a peer still sends what they wait for.
 */
export function mergeStoredUpdates(updates: readonly Uint8Array[]): {
  merged: Uint8Array;
  stateVector: Uint8Array;
} {
  // A fixed guid: a random one costs a getRandomValues call per hex digit (repository.ts).
  const doc = new Y.Doc({ gc: true, guid: 'merge' });
  try {
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update);
    });
    return { merged: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) };
  } finally {
    doc.destroy();
  }
}

/** Writes of a `commitMany` are checked together before anything is stored. */
export function checkWrites(writes: readonly DocWrite[]): void {
  if (!Array.isArray(writes)) {
    throw new StorageError('write-failed', 'commit refused: writes must be an array');
  }
  for (const write of writes as readonly DocWrite[]) checkWrite(write);
}

export function checkRemovable(docId: DocId): void {
  if (!isDocId(docId)) {
    throw new StorageError(
      'write-failed',
      `remove refused: "${String(docId)}" is not a document id`,
    );
  }
}

/**
 * IndexedDB's structured clone copies a typed array's whole underlying buffer, so a view into
 * a larger encoder buffer would store the bytes around it too. Copy exactly the viewed bytes.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.slice();
}

/**
 * The stored state vector covers every stored update, so a write's vector is merged with the one
 * already stored (per client, the higher clock). Two tabs of a device share storage: a tab whose
 * open copy missed the other tab's latest change must not make storage forget it.
 */
export function mergeStateVectors(stored: Uint8Array | undefined, next: Uint8Array): Uint8Array {
  if (!stored) return ownBytes(next);
  const merged = Y.decodeStateVector(stored);
  for (const [client, clock] of Y.decodeStateVector(next)) {
    if (clock > (merged.get(client) ?? 0)) merged.set(client, clock);
  }
  return Y.encodeStateVector(merged);
}
