/**
 * The storage ports on one Dexie (IndexedDB) database for every document of the device:
 * document updates and the signed changes they are made of, per-document info, the query
 * projections and device settings.
 * One database rather than one per document: see docs/decisions/0003-storage-dexie.md.
 */
import Dexie, { type Table } from 'dexie';
import type { DirectoryRow, DocWrite, PatientRow, StoredChange } from '../crdt/ports';
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
  ownBytes,
  type LocalStore,
} from './local-store';
import {
  compactDoc,
  resolveUpdates,
  unpack,
  type ChangeRecord,
  type DocRecord,
  type PackRecord,
  type UpdateRecord,
} from './compaction-dexie';
import { isTailOf } from './stored-forms';
import { withSearchIndex, type IndexedQueries, type SearchableBase } from './search-queries';

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

export interface DexieStore extends LocalStore, IndexedQueries {
  /** Opens the database now, so an unusable IndexedDB is reported at startup, not at first save. */
  open(): Promise<void>;
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
  {
    // Issue 9, decision 0023: compaction packs a document's changes into deflated `packs`
    // rows; `updates` rows may refer to a change or a pack instead of holding the bytes again.
    // Rows of schema 2 are valid rows of schema 3 as they are: nothing is rewritten.
    version: 3,
    stores: { packs: '++seq, docId' },
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
  const packs: Table<PackRecord, number> = db.table('packs');
  const docs: Table<DocRecord, DocId> = db.table('docs');
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

  /**
   * Dexie resolves the transaction promise on the IndexedDB `complete` event, i.e. after the
   * strict-durability flush; any failure aborts every write of every `DocWrite` given.
   *
   * Two reads, then every write issued at once (issue 9 point 1): IndexedDB runs the requests
   * of one transaction in the order they were made, so nothing waits for a round trip per row.
   * A save used to await about seven requests per document one after another.
   */
  async function commitInOneTransaction(writes: readonly DocWrite[]): Promise<void> {
    const updatedAt = new Date(clock.now()).toISOString() as IsoDateTime;
    await db.transaction('rw', [updates, changes, docs, patients, directory, meta], async () => {
      const docIds = [...new Set(writes.map((w) => w.docId))];
      const changeKeys = writes.flatMap((w) =>
        (w.changes ?? []).map((change) => [w.docId, change.id] as [DocId, string]),
      );
      const [previousRows, storedKeys] = await Promise.all([
        docs.bulkGet(docIds),
        changeKeys.length === 0
          ? Promise.resolve([])
          : changes.where('[docId+id]').anyOf(changeKeys).keys(),
      ]);
      const previous = new Map(docIds.map((docId, i) => [docId, previousRows[i]]));
      // A change already stored for the document (same id) is skipped, never re-added, and
      // never an error that would abort the write it came with. One received again after
      // compaction packed it is added again; the next compaction and every read keep it once
      // (ST4).
      const seen = new Set(storedKeys.map((key) => JSON.stringify(key)));
      const changeRows: ChangeRecord[] = [];
      const updateRows: UpdateRecord[] = [];
      const docRows = new Map<DocId, DocRecord>();
      const patientRows: PatientRow[] = [];
      const directoryRows: DirectoryRow[] = [];
      const metaRows: MetaRecord[] = [];
      for (const docWrite of writes) {
        const { docId } = docWrite;
        const given = docWrite.changes ?? [];
        const added = new Set<string>();
        for (const { id, bytes, reach } of given) {
          const key = JSON.stringify([docId, id]);
          if (seen.has(key)) continue;
          seen.add(key);
          changeRows.push({ docId, id, bytes: ownBytes(bytes), reach: ownBytes(reach) });
          added.add(id);
        }
        // Stored once (decision 0023): a signed change holds its update as its last bytes.
        const only = given.length === 1 ? given[0] : undefined;
        updateRows.push(
          only && added.has(only.id) && isTailOf(docWrite.update, only.bytes)
            ? { docId, ref: only.id, tail: docWrite.update.byteLength }
            : { docId, bytes: ownBytes(docWrite.update) },
        );
        const before = docRows.get(docId) ?? previous.get(docId);
        docRows.set(docId, {
          docId,
          kind: docWrite.kind,
          stateVector: mergeStateVectors(before?.stateVector, docWrite.stateVector),
          updateCount: (before?.updateCount ?? 0) + 1,
          updatedAt,
        });
        const projection = docWrite.projection;
        if (projection?.patient) patientRows.push(projection.patient);
        if (projection?.directoryUpserts?.length)
          directoryRows.push(...projection.directoryUpserts);
        for (const { key, value } of docWrite.meta ?? []) metaRows.push({ key, value });
      }
      const pending: Promise<unknown>[] = [];
      if (changeRows.length > 0) pending.push(changes.bulkAdd(changeRows));
      pending.push(updates.bulkAdd(updateRows), docs.bulkPut([...docRows.values()]));
      if (patientRows.length > 0) pending.push(patients.bulkPut(patientRows));
      if (directoryRows.length > 0) pending.push(directory.bulkPut(directoryRows));
      if (metaRows.length > 0) pending.push(meta.bulkPut(metaRows));
      await Promise.all(pending);
    });
    stored.post(writes);
  }

  // Search runs on in-memory indexes built from one read of each table (search-queries.ts).
  const loadSearchRows = () =>
    read('searchRows', () =>
      db.transaction('r', [patients, directory], async () => ({
        patients: await patients.toArray(),
        directory: await directory.toArray(),
      })),
    );

  return withSearchIndex<SearchableBase & Pick<DexieStore, 'open'>>(
    {
      open: () =>
        run('open', 'storage-unavailable', async () => {
          await db.open();
        }),

      loadUpdates: (docId) =>
        read('loadUpdates', async () => {
          // Most documents hold only plain rows (or none): one read, no transaction of its own.
          const plainRows = await updates.where('docId').equals(docId).toArray();
          if (plainRows.every((row) => row.ref === undefined && row.pack === undefined)) {
            return resolveUpdates(plainRows, new Map(), new Map());
          }
          // Rows that refer to changes or packs: read again, with what they refer to, in one
          // read transaction (a compaction between two reads could have packed them); inflating
          // runs after it.
          const { rows, live, packRows } = await db.transaction(
            'r',
            [updates, changes, packs],
            async () => {
              const rows = await updates.where('docId').equals(docId).toArray();
              const refs = rows.flatMap((row) => (row.ref === undefined ? [] : [row.ref]));
              const packSeqs = rows.flatMap((row) => (row.pack === undefined ? [] : [row.pack]));
              const live =
                refs.length === 0
                  ? []
                  : await changes
                      .where('[docId+id]')
                      .anyOf(refs.map((id) => [docId, id]))
                      .toArray();
              const packRows = packSeqs.length === 0 ? [] : await packs.bulkGet(packSeqs);
              return { rows, live, packRows };
            },
          );
          return resolveUpdates(
            rows,
            new Map(live.map((change) => [change.id, change])),
            new Map(packRows.flatMap((pack) => (pack ? [[pack.seq!, pack] as const] : []))),
          );
        }),

      loadChanges: (docId) =>
        read('loadChanges', async () => {
          // Index order within one docId is primary-key (seq) order: the order first stored.
          // Packed changes were all stored before any change still live.
          const [packRows, records] = await db.transaction('r', [packs, changes], () =>
            Promise.all([
              packs.where('docId').equals(docId).toArray(),
              changes.where('docId').equals(docId).toArray(),
            ]),
          );
          const packed: StoredChange[] = [];
          for (const pack of packRows) packed.push(...(await unpack(pack)));
          // SC21: each once, by id, in the order first stored.
          const seen = new Set<string>();
          return [
            ...packed,
            ...records.map(({ id, bytes, reach }) => ({ id, bytes, reach })),
          ].filter((change) => !seen.has(change.id) && seen.add(change.id));
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

      compact: (docId, compactOptions) =>
        // D3: merges exactly what it read, or nothing when anything changed meanwhile.
        write(`compaction of ${docId}`, () =>
          compactDoc(db, { updates, changes, packs, docs }, docId, compactOptions),
        ),

      removeDoc: (docId) =>
        write(`removal of ${docId}`, async () => {
          checkRemovable(docId);
          const ctcId = ctcIdOfDoc(docId);
          await db.transaction('rw', [updates, changes, packs, docs, patients], async () => {
            await updates.where('docId').equals(docId).delete();
            await changes.where('docId').equals(docId).delete();
            await packs.where('docId').equals(docId).delete();
            await docs.delete(docId);
            if (ctcId) await patients.delete(ctcId);
          });
          // Other tabs' search indexes forget the record as held (pruning runs in one tab).
          stored.postRemovals([docId]);
        }),

      onForeignRemoval: (listener) => stored.listenRemovals(listener),

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
        read('directoryOfFacility', () =>
          directory.where('facilityCode').equals(facility).toArray(),
        ),

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
    },
    loadSearchRows,
  );
}
