/**
 * The storage ports on one Dexie (IndexedDB) database for every document of the device:
 * document updates and the signed changes they are made of, per-document info, the query
 * projections and device settings.
 * One database rather than one per document: see docs/decisions/0003-storage-dexie.md.
 */
import Dexie, { type Table } from 'dexie';
import type { DirectoryRow, DocInfo, DocWrite, PatientRow, StoredChange } from '../crdt/ports';
import { ctcIdOfDoc, type DocId, type DocKind } from '../crdt/doc-id';
import type { CtcId, FacilityCode, IsoDate, IsoDateTime } from '../domain/types';
import type { StorageErrorCode } from '../crdt/ports';
import { systemClock, type Clock } from '../lib/deps';
import { toStorageError } from './errors';
import { createStoredSignal, type StoredSignal } from './stored-signal';
import {
  checkRemovable,
  checkWrite,
  checkWrites,
  mergeStateVectors,
  mergeStoredUpdates,
  ownBytes,
  type LocalStore,
} from './local-store';
import {
  CTC_ID_LENGTH,
  indexWord,
  matchesPhone,
  matchesWords,
  parseQuery,
  sortAndLimit,
  type ParsedQuery,
} from './search';

export interface DexieStoreOptions {
  /** IndexedDB database name; one per device profile. */
  name: string;
  /** Injected for tests and non-browser hosts; defaults to the global IndexedDB. */
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
  clock?: Clock;
  /**
   * D10: how connections to this database tell each other what they committed. Defaults to a
   * BroadcastChannel; tests that schedule every delivery themselves can inject their own.
   */
  storedSignal?: StoredSignal;
}

export interface DexieStore extends LocalStore {
  /** Opens the database now, so an unusable IndexedDB is reported at startup, not at first save. */
  open(): Promise<void>;
}

interface UpdateRecord {
  /** Auto-incremented; orders a document's updates. Compaction reuses the smallest merged key. */
  seq?: number;
  docId: DocId;
  bytes: Uint8Array;
}

/** SC14: one signed change, kept byte for byte beside the updates; compaction never touches it. */
interface ChangeRecord extends StoredChange {
  /** Auto-incremented; orders a document's changes as they were first stored. */
  seq?: number;
  docId: DocId;
}

interface MetaRecord {
  key: string;
  value: unknown;
}

/**
 * Every schema the database has had, oldest first. Dexie upgrades an older database through
 * each step, so a change is a new entry (new tables or indexes, plus an upgrade function when
 * rows must be rewritten); existing entries never change once released.
 */
const schemaVersions: ReadonlyArray<{ version: number; stores: Record<string, string> }> = [
  {
    version: 1,
    stores: {
      updates: '++seq, docId',
      docs: 'docId, kind',
      patients: 'ctcId, *nameTokens, phoneDigits, nextAppointment, status, lastVisitDate',
      directory: 'ctcId, *nameTokens, facilityCode',
      meta: 'key',
    },
  },
  {
    // SC14/SC21: signed changes beside the updates. Tables not named keep their schema and rows.
    // [docId+id] finds a change already stored, so a change received twice is kept once.
    version: 2,
    stores: { changes: '++seq, docId, [docId+id]' },
  },
];

export const DEXIE_SCHEMA_VERSION = schemaVersions[schemaVersions.length - 1]?.version ?? 1;

export function createDexieStore(options: DexieStoreOptions): DexieStore {
  const clock = options.clock ?? systemClock;
  const db = new Dexie(options.name, {
    // A clinical write is reported as saved only once it is flushed to disk: Chrome's
    // default durability may acknowledge a commit that a power cut then loses.
    chromeTransactionDurability: 'strict',
    // Only pass the engine when given: an explicit undefined would override Dexie's default.
    ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
    ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}),
  });
  for (const { version, stores } of schemaVersions) db.version(version).stores(stores);
  const stored = options.storedSignal ?? createStoredSignal(options.name, options.indexedDB);

  const updates: Table<UpdateRecord, number> = db.table('updates');
  const changes: Table<ChangeRecord, number> = db.table('changes');
  const docs: Table<DocInfo, DocId> = db.table('docs');
  const patients: Table<PatientRow, CtcId> = db.table('patients');
  const directory: Table<DirectoryRow, CtcId> = db.table('directory');
  const meta: Table<MetaRecord, string> = db.table('meta');

  async function run<T>(
    operation: string,
    fallback: StorageErrorCode,
    body: () => Promise<T>,
  ): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw toStorageError(error, operation, fallback);
    }
  }
  const read = <T>(operation: string, body: () => Promise<T>) =>
    run(operation, 'storage-unavailable', body);
  const write = <T>(operation: string, body: () => Promise<T>) =>
    run(operation, 'write-failed', body);

  async function wordCandidates<T extends { nameTokens: string[] }>(
    table: Table<T, CtcId>,
    words: string[],
  ): Promise<T[]> {
    // The longest word narrows the multiEntry index most; the others are checked per row.
    // distinct(): a name with two words starting with the prefix is indexed twice.
    return table
      .where('nameTokens')
      .startsWith(indexWord(words))
      .distinct()
      .filter((row) => matchesWords(row.nameTokens, words))
      .toArray();
  }

  function byCtcId<T>(table: Table<T, CtcId>, digits: string): Promise<T[]> {
    return digits.length >= CTC_ID_LENGTH
      ? table.where('ctcId').equals(digits).toArray()
      : table.where('ctcId').startsWith(digits).toArray();
  }

  async function searchDirectoryRows(parsed: ParsedQuery): Promise<DirectoryRow[]> {
    switch (parsed.kind) {
      case 'empty':
        return [];
      case 'digits':
        return byCtcId(directory, parsed.digits);
      case 'words':
        return wordCandidates(directory, parsed.words);
    }
  }

  async function searchPatientRows(parsed: ParsedQuery): Promise<PatientRow[]> {
    switch (parsed.kind) {
      case 'empty':
        return [];
      case 'words':
        return wordCandidates(patients, parsed.words);
      case 'digits': {
        const { digits } = parsed;
        // Phone digits match anywhere in the number, which no index can answer; only rows
        // that have a phone are scanned.
        const [byId, byPhone] = await Promise.all([
          byCtcId(patients, digits),
          patients
            .where('phoneDigits')
            .above('')
            .filter((row) => matchesPhone(row.phoneDigits, digits))
            .toArray(),
        ]);
        const unique = new Map<CtcId, PatientRow>();
        for (const row of [...byId, ...byPhone]) unique.set(row.ctcId, row);
        return [...unique.values()];
      }
    }
  }

  /**
   * Inside the caller's transaction: a change already stored for the document (same id) is
   * skipped, never re-added, and never an error that would abort the write it came with.
   */
  async function addChanges(docId: DocId, given: readonly StoredChange[]): Promise<void> {
    for (const { id, bytes, reach } of given) {
      const already = await changes.where('[docId+id]').equals([docId, id]).count();
      if (already > 0) continue;
      await changes.add({ docId, id, bytes: ownBytes(bytes), reach: ownBytes(reach) });
    }
  }

  /**
   * Dexie resolves the transaction promise on the IndexedDB `complete` event, i.e. after the
   * strict-durability flush; any failure aborts every write of every `DocWrite` given.
   */
  async function commitInOneTransaction(writes: readonly DocWrite[]): Promise<void> {
    const updatedAt = new Date(clock.now()).toISOString() as IsoDateTime;
    await db.transaction('rw', [updates, changes, docs, patients, directory, meta], async () => {
      for (const docWrite of writes) {
        await updates.add({ docId: docWrite.docId, bytes: ownBytes(docWrite.update) });
        await addChanges(docWrite.docId, docWrite.changes ?? []);
        const previous = await docs.get(docWrite.docId);
        await docs.put({
          docId: docWrite.docId,
          kind: docWrite.kind,
          stateVector: mergeStateVectors(previous?.stateVector, docWrite.stateVector),
          updateCount: (previous?.updateCount ?? 0) + 1,
          updatedAt,
        });
        const projection = docWrite.projection;
        if (projection?.patient) await patients.put(projection.patient);
        if (projection?.directoryUpserts?.length) {
          await directory.bulkPut(projection.directoryUpserts);
        }
        if (docWrite.meta?.length) {
          await meta.bulkPut(docWrite.meta.map(({ key, value }) => ({ key, value })));
        }
      }
    });
    stored.post(writes);
  }

  return {
    open: () =>
      run('open', 'storage-unavailable', async () => {
        await db.open();
      }),

    loadUpdates: (docId) =>
      read('loadUpdates', async () => {
        const records = await updates.where('docId').equals(docId).toArray();
        return records.map((record) => record.bytes);
      }),

    loadChanges: (docId) =>
      read('loadChanges', async () => {
        // Index order within one docId is primary-key (seq) order: the order first stored.
        const records = await changes.where('docId').equals(docId).toArray();
        return records.map(({ id, bytes, reach }) => ({ id, bytes, reach }));
      }),

    commit: (docWrite: DocWrite) =>
      write(`commit of ${docWrite.docId}`, async () => {
        checkWrite(docWrite);
        await commitInOneTransaction([docWrite]);
      }),

    commitMany: (writes: readonly DocWrite[]) =>
      write(`commit of ${writes.length} writes`, async () => {
        checkWrites(writes);
        if (writes.length === 0) return;
        await commitInOneTransaction(writes);
      }),

    compact: (docId) =>
      write(`compaction of ${docId}`, async () => {
        await db.transaction('rw', [updates, docs], async () => {
          const info = await docs.get(docId);
          if (!info) return;
          const records = await updates.where('docId').equals(docId).toArray();
          if (records.length < 2) return;
          // D3: merge exactly what this transaction read and delete exactly those keys. A
          // commit from another tab waits for this transaction, so it lands after the merged
          // update instead of being deleted unmerged.
          const { merged, stateVector } = mergeStoredUpdates(records.map((r) => r.bytes));
          const keys = records.map((record) => record.seq as number);
          await updates.bulkDelete(keys);
          // Reusing the smallest key keeps the merged update first in load order.
          await updates.put({ seq: keys[0], docId, bytes: ownBytes(merged) });
          await docs.put({ ...info, stateVector, updateCount: 1 });
        });
      }),

    removeDoc: (docId) =>
      write(`removal of ${docId}`, async () => {
        checkRemovable(docId);
        const ctcId = ctcIdOfDoc(docId);
        await db.transaction('rw', [updates, changes, docs, patients], async () => {
          await updates.where('docId').equals(docId).delete();
          await changes.where('docId').equals(docId).delete();
          await docs.delete(docId);
          if (ctcId) await patients.delete(ctcId);
        });
      }),

    listDocs: (kind?: DocKind) =>
      read('listDocs', () =>
        kind === undefined ? docs.toArray() : docs.where('kind').equals(kind).toArray(),
      ),

    getDocInfo: (docId) => read('getDocInfo', () => docs.get(docId)),

    getMeta: <T>(key: string) =>
      read('getMeta', async () => (await meta.get(key))?.value as T | undefined),

    setMeta: (key, value) =>
      write(`setMeta of ${key}`, async () => {
        await meta.put({ key, value });
      }),

    searchDirectory: (query, limit) =>
      read('searchDirectory', async () =>
        sortAndLimit(await searchDirectoryRows(parseQuery(query)), limit),
      ),

    searchPatients: (query, limit) =>
      read('searchPatients', async () =>
        sortAndLimit(await searchPatientRows(parseQuery(query)), limit),
      ),

    getPatientRow: (ctcId) => read('getPatientRow', () => patients.get(ctcId)),

    getDirectoryRow: (ctcId) => read('getDirectoryRow', () => directory.get(ctcId)),

    appointmentsUntil: (until: IsoDate) =>
      read('appointmentsUntil', () =>
        // Index order is appointment date, then CTC ID: the worklist order.
        patients
          .where('nextAppointment')
          .belowOrEqual(until)
          .filter((row) => row.status === 'active')
          .toArray(),
      ),

    directoryOfFacility: (facility: FacilityCode) =>
      read('directoryOfFacility', () => directory.where('facilityCode').equals(facility).toArray()),

    onForeignCommit: (listener) => stored.listen(listener),

    close: () => {
      stored.close();
      db.close();
      return Promise.resolve();
    },

    delete: () =>
      write('delete', () => {
        stored.close();
        return db.delete();
      }),
  };
}
