/**
 * The storage ports in plain Maps: for tests of higher layers and for a headless relay.
 * Same semantics as the Dexie adapter (the conformance suite runs against both): values are
 * copied on the way in and out, as IndexedDB's structured clone does, and every write is
 * prepared completely before anything is changed, so a failure leaves nothing behind.
 */
import * as Y from 'yjs';
import type {
  DirectoryRow,
  DocInfo,
  DocWrite,
  PatientRow,
  StorageErrorCode,
  StoredChange,
} from '../crdt/ports';
import { StorageError } from '../crdt/ports';
import { ctcIdOfDoc, type DocId, type DocKind } from '../crdt/doc-id';
import type { CtcId, FacilityCode, IsoDate, IsoDateTime } from '../domain/types';
import { systemClock, type Clock } from '../lib/deps';
import { toStorageError } from './errors';
import { tailToMerge } from './compaction-tiers';
import { applyRuns } from './stored-forms';
import {
  checkRemovable,
  checkWrite,
  checkWrites,
  mergeStateVectors,
  mergeStoredUpdates,
  ownBytes,
  type LocalStore,
} from './local-store';
import { compareByAppointment, compareText } from './search';
import { withSearchIndex, type IndexedQueries, type SearchableBase } from './search-queries';

export interface MemoryStore extends LocalStore, IndexedQueries {
  /**
   * Makes the next `commit` or `commitMany` fail with `code` (as a full disk would) and store nothing,
   * so callers can test how they report a failed save.
   */
  failNextCommit(code?: StorageErrorCode): void;
}

export interface MemoryStoreOptions {
  clock?: Clock;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const clock = options.clock ?? systemClock;
  const updates = new Map<DocId, Uint8Array[]>();
  /** SC14: each document's signed changes in the order first stored; never compacted. */
  const changes = new Map<DocId, StoredChange[]>();
  /** Per document, how many of its changes were there at its last compaction (never coalesced again). */
  const compacted = new Map<DocId, number>();
  const docs = new Map<DocId, DocInfo>();
  const patients = new Map<CtcId, PatientRow>();
  const directory = new Map<CtcId, DirectoryRow>();
  const meta = new Map<string, unknown>();
  let pendingFailure: StorageErrorCode | undefined;
  let closed = false;

  /** Runs a synchronous operation as the ports' async contract: a throw becomes a rejection. */
  function settle<T>(operation: string, body: () => T): Promise<T> {
    try {
      if (closed) {
        throw new StorageError('storage-unavailable', `${operation} failed: store is closed`);
      }
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  function copy<T>(value: T, operation: string): T {
    try {
      return structuredClone(value);
    } catch (error) {
      throw toStorageError(error, operation, 'write-failed');
    }
  }

  /** Prepares every write completely (copies, infos), then changes the maps: all or nothing. */
  function commitAll(writes: readonly DocWrite[]): void {
    if (pendingFailure) {
      const code = pendingFailure;
      pendingFailure = undefined;
      throw new StorageError(
        code,
        `commit of ${writes.map((w) => w.docId).join(', ')} failed (injected ${code})`,
      );
    }
    const updatedAt = new Date(clock.now()).toISOString() as IsoDateTime;
    const staged = new Map<
      DocId,
      { info: DocInfo; added: Uint8Array[]; addedChanges: StoredChange[] }
    >();
    const patientRows: PatientRow[] = [];
    const directoryRows: DirectoryRow[] = [];
    const metaEntries: Array<{ key: string; value: unknown }> = [];
    for (const write of writes) {
      if (write.projection?.patient) patientRows.push(copy(write.projection.patient, 'commit'));
      directoryRows.push(...copy(write.projection?.directoryUpserts ?? [], 'commit'));
      for (const { key, value } of write.meta ?? []) {
        metaEntries.push({ key, value: copy(value, 'commit') });
      }
      const previous = staged.get(write.docId);
      const previousInfo = previous?.info ?? docs.get(write.docId);
      const addedChanges = [...(previous?.addedChanges ?? [])];
      // A change already stored, or staged by an earlier write of this unit, is kept once.
      const known = new Set([
        ...(changes.get(write.docId) ?? []).map((change) => change.id),
        ...addedChanges.map((change) => change.id),
      ]);
      for (const change of write.changes ?? []) {
        if (known.has(change.id)) continue;
        known.add(change.id);
        addedChanges.push(copyChange(change));
      }
      staged.set(write.docId, {
        info: {
          docId: write.docId,
          kind: write.kind,
          stateVector: mergeStateVectors(previousInfo?.stateVector, write.stateVector),
          updateCount: (previousInfo?.updateCount ?? 0) + 1,
          updatedAt,
        },
        added: [...(previous?.added ?? []), ownBytes(write.update)],
        addedChanges,
      });
    }
    // Nothing below throws.
    for (const [docId, { info, added, addedChanges }] of staged) {
      updates.set(docId, [...(updates.get(docId) ?? []), ...added]);
      if (addedChanges.length > 0) {
        changes.set(docId, [...(changes.get(docId) ?? []), ...addedChanges]);
      }
      docs.set(docId, info);
    }
    for (const row of patientRows) patients.set(row.ctcId, row);
    for (const row of directoryRows) directory.set(row.ctcId, row);
    for (const entry of metaEntries) meta.set(entry.key, entry.value);
  }

  const store: SearchableBase & Pick<MemoryStore, 'failNextCommit'> = {
    failNextCommit(code: StorageErrorCode = 'quota-exceeded') {
      pendingFailure = code;
    },

    loadUpdates: (docId) =>
      settle('loadUpdates', () => {
        return (updates.get(docId) ?? []).map(ownBytes);
      }),

    loadChanges: (docId) =>
      settle('loadChanges', () => {
        return (changes.get(docId) ?? []).map(copyChange);
      }),

    commit: (write: DocWrite) =>
      settle('commit', () => {
        checkWrite(write);
        commitAll([write]);
      }),

    commitMany: (writes: readonly DocWrite[]) =>
      settle('commitMany', () => {
        checkWrites(writes);
        if (writes.length > 0) commitAll(writes);
      }),

    compact: async (docId, options = {}) => {
      // ST1: the author's runs are asked for first (outside the "transaction", as the Dexie
      // store does) and applied only if the changes they replace are still the ones read.
      const live = (changes.get(docId) ?? []).slice(compacted.get(docId) ?? 0);
      const runs =
        options.coalesce && live.length > 1 && (updates.get(docId)?.length ?? 0) > 1
          ? await options.coalesce(live.map(copyChange))
          : [];
      return settle('compact', () => {
        const stored = updates.get(docId) ?? [];
        const info = docs.get(docId);
        if (!info || stored.length < 2) return 0;
        const all = changes.get(docId) ?? [];
        const from = compacted.get(docId) ?? 0;
        const unchanged =
          all.length - from === live.length && live.every((c, i) => all[from + i]?.id === c.id);
        if (unchanged && runs.length > 0) {
          const kept = applyRuns(live, runs, () => undefined).map(({ change }) =>
            copyChange(change),
          );
          changes.set(docId, [...all.slice(0, from), ...kept]);
        }
        compacted.set(docId, changes.get(docId)?.length ?? 0);
        // D24: in the background only the newest rows merge, by size tiers.
        const start = options.tiered ? tailToMerge(stored.map((u) => u.byteLength))?.from : 0;
        if (start === undefined) return 0;
        if (start > 0) {
          const tail = stored.slice(start);
          updates.set(docId, [...stored.slice(0, start), ownBytes(Y.mergeUpdates(tail))]);
          docs.set(docId, { ...info, updateCount: start + 1 });
          return tail.length;
        }
        // D3: the merged update is made of exactly the updates it replaces.
        const { merged, stateVector } = mergeStoredUpdates(stored);
        updates.set(docId, [ownBytes(merged)]);
        docs.set(docId, { ...info, stateVector, updateCount: 1 });
        return stored.length;
      });
    },

    removeDoc: (docId) =>
      settle('removeDoc', () => {
        checkRemovable(docId);
        updates.delete(docId);
        changes.delete(docId);
        compacted.delete(docId);
        docs.delete(docId);
        const ctcId = ctcIdOfDoc(docId);
        if (ctcId) patients.delete(ctcId);
      }),

    listDocs: (kind?: DocKind) =>
      settle('listDocs', () => {
        return [...docs.values()]
          .filter((info) => kind === undefined || info.kind === kind)
          .sort((a, b) => compareText(a.docId, b.docId))
          .map(copyInfo);
      }),

    getDocInfo: (docId) =>
      settle('getDocInfo', () => {
        const info = docs.get(docId);
        return info ? copyInfo(info) : undefined;
      }),

    getMeta: <T>(key: string) =>
      settle('getMeta', () => {
        return meta.has(key) ? structuredClone(meta.get(key) as T) : undefined;
      }),

    setMeta: (key, value) =>
      settle('setMeta', () => {
        meta.set(key, copy(value, 'setMeta'));
      }),

    getPatientRow: (ctcId) =>
      settle('getPatientRow', () => {
        const row = patients.get(ctcId);
        return row ? structuredClone(row) : undefined;
      }),

    getDirectoryRow: (ctcId) =>
      settle('getDirectoryRow', () => {
        const row = directory.get(ctcId);
        return row ? structuredClone(row) : undefined;
      }),

    appointmentsUntil: (until: IsoDate) =>
      settle('appointmentsUntil', () => {
        return [...patients.values()]
          .filter(
            (row) =>
              row.status === 'active' &&
              row.nextAppointment !== undefined &&
              row.nextAppointment <= until,
          )
          .sort(compareByAppointment)
          .map((row) => structuredClone(row));
      }),

    directoryOfFacility: (facility: FacilityCode) =>
      settle('directoryOfFacility', () => {
        return [...directory.values()]
          .filter((row) => row.facilityCode === facility)
          .sort((a, b) => compareText(a.ctcId, b.ctcId))
          .map((row) => structuredClone(row));
      }),

    close() {
      closed = true;
      return Promise.resolve();
    },

    delete() {
      updates.clear();
      changes.clear();
      compacted.clear();
      docs.clear();
      patients.clear();
      directory.clear();
      meta.clear();
      pendingFailure = undefined;
      closed = true;
      return Promise.resolve();
    },
  };
  // The index holds the maps' own row objects (never changed in place) and hands out copies.
  return withSearchIndex(store, () =>
    settle('searchRows', () => ({
      patients: [...patients.values()],
      directory: [...directory.values()],
    })),
  );
}

function copyInfo(info: DocInfo): DocInfo {
  return { ...info, stateVector: ownBytes(info.stateVector) };
}

function copyChange(change: StoredChange): StoredChange {
  return { id: change.id, bytes: ownBytes(change.bytes), reach: ownBytes(change.reach) };
}
