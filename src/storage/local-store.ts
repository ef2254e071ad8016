import * as Y from 'yjs';
import type { DocumentStore, DocWrite, PatientQueries } from '../crdt/ports';
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
  const patient = write.projection?.patient;
  if (patient && write.docId !== `patient:${patient.ctcId}`) {
    throw new StorageError(
      'write-failed',
      `commit refused: ${write.docId} cannot project the row of patient ${patient.ctcId}`,
    );
  }
}

/**
 * `replacedCount` is how many updates the caller loaded and merged. If fewer are stored now,
 * another compaction got there first and deleting "the first N" would drop updates the merged
 * one does not contain, so the stale compaction is refused instead.
 */
export function checkCompaction(
  docId: DocId,
  merged: Uint8Array,
  replacedCount: number,
  storedCount: number,
): void {
  if (!Number.isInteger(replacedCount) || replacedCount < 1) {
    throw new StorageError(
      'write-failed',
      `compaction refused: replacedCount must be a positive integer, got ${replacedCount}`,
    );
  }
  if (!(merged instanceof Uint8Array) || merged.byteLength === 0) {
    throw new StorageError('write-failed', `compaction refused: empty merged update for ${docId}`);
  }
  if (replacedCount > storedCount) {
    throw new StorageError(
      'write-failed',
      `compaction refused: ${docId} has ${storedCount} stored updates, fewer than the ${replacedCount} merged`,
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
