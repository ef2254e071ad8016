/**
 * The search half of `PatientQueries` for any adapter, from two in-memory indexes
 * (search-index.ts): one read of each table the first time search is needed (or when the app
 * asks early, `prepareSearch`), then kept fresh from this connection's own commits and from what
 * other tabs signal they stored (D10), so a patient another tab registers is found here too.
 */
import type {
  DirectoryRow,
  DocWrite,
  PatientQueries,
  PatientRow,
  SearchOptions,
} from '../crdt/ports';
import { StorageError } from '../crdt/ports';
import { ctcIdOfDoc, facilityOfRegisterDoc, type DocId } from '../crdt/doc-id';
import type { CtcId, FacilityCode } from '../domain/types';
import type { LocalStore } from './local-store';
import {
  directoryRowMatches,
  parseQuery,
  patientRowMatches,
  rankedDirectoryRow,
  rankedPatientRow,
} from './search';
import { scanTopK } from './search-scan';
import {
  applyChange,
  Building,
  type Indexes,
  type RowChange,
  type SearchRows,
} from './search-building';

type IndexedMethods = 'searchDirectory' | 'searchPatients' | 'getPatientRows';

/**
 * What an adapter provides; the wrapper adds the search methods. `onForeignRemoval`: another
 * tab removed a document (pruning, stored-signal.ts `listenRemovals`), so a record it held is
 * no longer held here either.
 */
export type SearchableBase = Omit<LocalStore, IndexedMethods> & {
  onForeignRemoval?(listener: (docId: DocId) => void): () => void;
};

export type { SearchRows } from './search-building';

export interface IndexedQueries extends Pick<PatientQueries, IndexedMethods> {
  /** Starts the one read of both tables now, so the first search does not wait for it. */
  prepareSearch(): Promise<void>;
}

/** A burst of another tab's register writes (a catch-up) is read back once per facility. */
const FOREIGN_REGISTER_DELAY_MS = 100;

const copyPatient = (row: PatientRow): PatientRow => ({ ...row, nameTokens: [...row.nameTokens] });
const copyDirectory = (row: DirectoryRow): DirectoryRow => ({
  ...row,
  nameTokens: [...row.nameTokens],
});

/**
 * `loadRows` reads every patient and directory row, one read per table: it is all the index
 * needs, and on a cold start it replaces the per-query reads the first searches would make.
 */
export function withSearchIndex<S extends SearchableBase>(
  base: S,
  loadRows: () => Promise<SearchRows>,
): S & IndexedQueries {
  let indexes: Indexes | undefined;
  let building: Building | undefined;
  let loading: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;
  let unsubscribeRemovals: (() => void) | undefined;
  let closed = false;
  /** Bumped by close/delete, so a build that finishes after it is dropped. */
  let generation = 0;
  const registerTimers = new Map<FacilityCode, ReturnType<typeof setTimeout>>();

  function change(next: RowChange): void {
    if (indexes) applyChange(indexes, next);
    else if (building) building.changes.push(next);
    else if (loading) pendingWhileReading.push(next);
    // Nothing read yet: the read will find the change in storage.
  }
  /** Changes landing while the rows are read: already in the rows read, or after them. */
  let pendingWhileReading: RowChange[] = [];

  /** Resolves once a search can be answered: by the indexes, or by a scan while they build. */
  function ready(): Promise<void> {
    if (closed) {
      return Promise.reject(
        new StorageError('storage-unavailable', 'search failed: store is closed'),
      );
    }
    if (indexes || building) return Promise.resolve();
    if (!loading) {
      listenToOtherTabs();
      const started = generation;
      // The index code is its own chunk, fetched while the rows are read (and scanned until it
      // has built): the first screen does not carry it (issue 9, first-screen JS).
      const code = import('./search-index');
      // A failed fetch leaves searches scanning (reported below); never an unhandled rejection.
      code.catch(() => undefined);
      const read = loadRows().then((rows) => {
        if (started !== generation) return;
        const phase = new Building(rows);
        phase.changes.push(...pendingWhileReading);
        pendingWhileReading = [];
        building = phase;
        void code
          .then(({ buildSearchIndex, directoryShape, patientShape }) =>
            Promise.all([
              buildSearchIndex(patientShape, rows.patients),
              buildSearchIndex(directoryShape, rows.directory),
            ]),
          )
          .then(
            ([patients, directory]) => {
              if (started !== generation || building !== phase) return;
              const built = { patients, directory };
              for (const pending of phase.changes) applyChange(built, pending);
              indexes = built;
              building = undefined;
            },
            (error: unknown) => {
              // Searches go on scanning the rows read: slower, never wrong.
              console.warn('Search index build failed; searching by scan', error);
            },
          );
      });
      loading = read;
      // A failed read is retried by the next search, never cached.
      read.catch(() => {
        if (loading === read) loading = undefined;
        pendingWhileReading = [];
      });
    }
    return loading;
  }

  async function answer<T>(
    fromIndex: (built: Indexes) => T,
    fromScan: (phase: Building) => T,
  ): Promise<T> {
    await ready();
    if (indexes) return fromIndex(indexes);
    if (building) return fromScan(building);
    throw new StorageError('storage-unavailable', 'search failed: store is closed');
  }

  function project(writes: readonly DocWrite[]): void {
    for (const { projection } of writes) {
      const patient = projection?.patient;
      const upserts = projection?.directoryUpserts ?? [];
      if (!patient && upserts.length === 0) continue;
      const patientCopy = patient ? copyPatient(patient) : undefined;
      const directoryCopies = upserts.map(copyDirectory);
      if (patientCopy) change({ table: 'patients', row: patientCopy });
      for (const row of directoryCopies) change({ table: 'directory', row });
    }
  }

  /** D10 tells which document another tab stored, not its rows: they are read back. */
  function listenToOtherTabs(): void {
    if (!unsubscribeRemovals && base.onForeignRemoval) {
      unsubscribeRemovals = base.onForeignRemoval((docId) => {
        const ctcId = ctcIdOfDoc(docId);
        if (ctcId) change({ table: 'patients', removed: ctcId });
      });
    }
    if (unsubscribe || !base.onForeignCommit) return;
    unsubscribe = base.onForeignCommit((docId) => {
      const ctcId = ctcIdOfDoc(docId);
      if (ctcId) void refreshPatient(ctcId);
      const facility = facilityOfRegisterDoc(docId);
      if (facility) refreshRegisterSoon(facility);
    });
  }

  async function refreshPatient(ctcId: CtcId): Promise<void> {
    try {
      const [patient, listed] = await Promise.all([
        base.getPatientRow(ctcId),
        base.getDirectoryRow(ctcId),
      ]);
      change(patient ? { table: 'patients', row: patient } : { table: 'patients', removed: ctcId });
      if (listed) change({ table: 'directory', row: listed });
    } catch (error) {
      console.warn('Search could not read a row another tab stored', error);
    }
  }

  function refreshRegisterSoon(facility: FacilityCode): void {
    if (registerTimers.has(facility)) return;
    registerTimers.set(
      facility,
      setTimeout(() => {
        registerTimers.delete(facility);
        if (closed) return;
        base.directoryOfFacility(facility).then(
          (rows) => rows.forEach((row) => change({ table: 'directory', row })),
          (error: unknown) => console.warn('Search could not read another tab’s register', error),
        );
      }, FOREIGN_REGISTER_DELAY_MS),
    );
  }

  function stop(): void {
    closed = true;
    unsubscribe?.();
    unsubscribe = undefined;
    unsubscribeRemovals?.();
    unsubscribeRemovals = undefined;
    for (const timer of registerTimers.values()) clearTimeout(timer);
    registerTimers.clear();
    generation += 1;
    indexes = undefined;
    building = undefined;
    loading = undefined;
    pendingWhileReading = [];
  }

  return {
    ...base,
    async commit(write: DocWrite) {
      await base.commit(write);
      project([write]);
    },
    async commitMany(writes: readonly DocWrite[]) {
      await base.commitMany(writes);
      project(writes);
    },
    async removeDoc(docId: DocId) {
      await base.removeDoc(docId);
      const ctcId = ctcIdOfDoc(docId);
      if (ctcId) change({ table: 'patients', removed: ctcId });
    },
    prepareSearch: async () => {
      await ready();
    },
    async searchDirectory(query: string, limit: number, options?: SearchOptions) {
      const parsed = parseQuery(query);
      const found = await answer(
        (built) => built.directory.search(parsed, limit, options),
        (phase) =>
          scanTopK(
            phase.current('directory'),
            parsed,
            directoryRowMatches,
            rankedDirectoryRow,
            limit,
            options,
          ),
      );
      return found.map(copyDirectory);
    },
    async searchPatients(query: string, limit: number, options?: SearchOptions) {
      const parsed = parseQuery(query);
      const found = await answer(
        (built) => built.patients.search(parsed, limit, options),
        (phase) =>
          scanTopK(
            phase.current('patients'),
            parsed,
            patientRowMatches,
            rankedPatientRow,
            limit,
            options,
          ),
      );
      return found.map(copyPatient);
    },
    async getPatientRows(ctcIds: readonly CtcId[]) {
      await ready();
      if (!indexes) return Promise.all(ctcIds.map((ctcId) => base.getPatientRow(ctcId)));
      const built = indexes;
      return ctcIds.map((ctcId) => {
        const row = built.patients.get(ctcId);
        return row ? copyPatient(row) : undefined;
      });
    },
    close() {
      stop();
      return base.close();
    },
    delete() {
      stop();
      return base.delete();
    },
  };
}
