/**
 * Ports the record layer needs from the outside world. Storage adapters implement them;
 * only `src/app` wires a concrete adapter in (ARCHITECTURE.md).
 */
import type {
  CtcId,
  FacilityCode,
  IsoDate,
  IsoDateTime,
  PatientStatus,
  Sex,
} from '../domain/types';
import type { DocId, DocKind } from './doc-id';

/**
 * One row per patient in the network directory, projected from the facility registers.
 * Lets any device find any patient by CTC ID or name, held or not.
 */
export interface DirectoryRow {
  ctcId: CtcId;
  facilityCode: FacilityCode;
  givenName: string;
  familyName: string;
  /** Folded words of both names (see lib/text.ts), for prefix search. */
  nameTokens: string[];
  sex: Sex;
  birthYear: number;
  status: PatientStatus;
  lastVisitDate?: IsoDate;
  lastVisitFacility?: FacilityCode;
}

/** One row per patient record this device holds, projected from the patient document. */
export interface PatientRow {
  ctcId: CtcId;
  primaryFacility: FacilityCode;
  givenName: string;
  familyName: string;
  nameTokens: string[];
  /** Digits of the phone number, for search by phone. */
  phoneDigits?: string;
  sex: Sex;
  birthDate: IsoDate;
  status: PatientStatus;
  lastVisitDate?: IsoDate;
  lastVisitFacility?: FacilityCode;
  /** The appointment set by the latest visit (or later scheduling), for worklists. */
  nextAppointment?: IsoDate;
  updatedAt: IsoDateTime;
}

/** Index rows derived from a document's state after a write; stored in the same transaction. */
export interface Projection {
  patient?: PatientRow;
  directoryUpserts?: DirectoryRow[];
}

/**
 * SC14: a signed change as stored, byte for byte as its author signed it, so catch-up sends the
 * very bytes peers verify. Kept beside the document's updates; compaction never merges them.
 */
export interface StoredChange {
  /** Unique per change (its signature, base64url): a change stored twice is kept once. */
  id: string;
  /** The encoded envelope (signed-change.ts), exactly as received or signed. */
  bytes: Uint8Array;
  /**
   * SC21: per Yjs client id of the change's structs, the clock just after its last struct (a
   * state vector, Yjs encoding). A peer whose state vector is below it for any client lacks it.
   */
  reach: Uint8Array;
}

export interface DocWrite {
  docId: DocId;
  kind: DocKind;
  /** A Yjs update (v1 encoding) holding exactly the change being persisted. */
  update: Uint8Array;
  /** The signed changes this update is made of, stored in the same transaction, in order. */
  changes?: readonly StoredChange[];
  /** The document's state vector after this update. */
  stateVector: Uint8Array;
  projection?: Projection;
  /** Device settings to change in the same transaction (e.g. the CTC ID serial counter). */
  meta?: ReadonlyArray<{ key: string; value: unknown }>;
}

/**
 * ST1 (decision 0023): the author's own consecutive changes, replaced at compaction by one
 * signed change of their merged update. `replaces` are the ids of a run of changes as the store
 * gave them, in order; `change` takes the place of the first of them.
 */
export interface CoalescedRun {
  replaces: readonly string[];
  change: StoredChange;
  /** Bytes of the merged update: the tail of `change.bytes` (SC2). */
  updateLength: number;
}

export interface CompactOptions {
  /**
   * Given the live (not yet compacted) changes of the document in stored order, the runs to
   * replace. Called outside any storage transaction; the store applies the runs only if every
   * change they replace is still stored as read, in the same transaction as the rest.
   */
  coalesce?: (changes: readonly StoredChange[]) => Promise<readonly CoalescedRun[]>;
  /**
   * D24: merge only the newest rows, by size tiers (compaction-tiers.ts), so a compaction after a
   * few small writes never rewrites a large base such as a 10,000-patient register. The state
   * vector is then left as stored (the content is unchanged); D2's recomputation happens when
   * every row is merged. Without it every row is merged into one.
   */
  tiered?: boolean;
}

export interface DocInfo {
  docId: DocId;
  kind: DocKind;
  stateVector: Uint8Array;
  /** Number of stored updates (compaction merges them). */
  updateCount: number;
  updatedAt: IsoDateTime;
}

/**
 * Durable storage of document updates and their projections.
 * `commit`, `commitMany`, `compact` and `removeDoc` are all-or-nothing: after a failure (e.g.
 * QuotaExceededError) nothing of the write is stored and the error is rethrown as a
 * `StorageError`.
 *
 * Storage is shared by every tab of a device, so the stored state vector of a document is always
 * the union of what is stored for it, whichever tab wrote it (D1, D2 in docs/protocol.md §18).
 */
export interface DocumentStore {
  loadUpdates(docId: DocId): Promise<Uint8Array[]>;
  /** SC21: every signed change stored for a document, in the order they were first stored. */
  loadChanges(docId: DocId): Promise<StoredChange[]>;
  commit(write: DocWrite): Promise<void>;
  /**
   * Several writes (of one or several documents) in one transaction: all are stored or none
   * (D5). Writes of one document are stored in the order given.
   */
  commitMany(writes: readonly DocWrite[]): Promise<void>;
  /**
   * Merge every update stored for a document into one, inside one transaction: the merged
   * update is made of exactly the updates the transaction read, so a write another tab stored
   * a moment ago is merged, never deleted (D3). The stored state vector is recomputed from the
   * merged content. A document that is not stored, or has one update, is left as it is.
   * With `options.tiered` only the newest rows are merged (D24) and the state vector is kept.
   * Resolves with how many stored updates were merged into one (0 when none were), so a
   * caller counting its document's updates knows what writes made meanwhile still add.
   */
  compact(docId: DocId, options?: CompactOptions): Promise<number>;
  /**
   * Forget a document: its updates, its signed changes, its info row and (for a patient) its patient row. Directory
   * rows stay: they come from the registers, which still list the patient (D6).
   */
  removeDoc(docId: DocId): Promise<void>;
  /**
   * D10: updates another connection to the same database (another tab of the device) has
   * committed, as they are committed. Never this connection's own. Optional: a store only one
   * connection ever uses has nothing to say.
   */
  onForeignCommit?(
    listener: (docId: DocId, update: Uint8Array, changes: readonly StoredChange[]) => void,
  ): () => void;
  listDocs(kind?: DocKind): Promise<DocInfo[]>;
  getDocInfo(docId: DocId): Promise<DocInfo | undefined>;
  getMeta<T>(key: string): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
}

export interface SearchOptions {
  /** Rows of this facility rank before others' (after an exact CTC ID). */
  ownFacility?: FacilityCode;
}

export interface PatientQueries {
  /**
   * CTC ID (digits, any grouping, prefix), name words (prefix, folded) or phone digits, ranked:
   * exact CTC ID, own facility, whole words before prefixes, then name (storage/search.ts).
   */
  searchDirectory(query: string, limit: number, options?: SearchOptions): Promise<DirectoryRow[]>;
  searchPatients(query: string, limit: number, options?: SearchOptions): Promise<PatientRow[]>;
  getPatientRow(ctcId: CtcId): Promise<PatientRow | undefined>;
  /** Several rows in one read, in the order asked (undefined where not held). */
  getPatientRows(ctcIds: readonly CtcId[]): Promise<Array<PatientRow | undefined>>;
  getDirectoryRow(ctcId: CtcId): Promise<DirectoryRow | undefined>;
  /** Held patients whose next appointment is on or before `until`, oldest first. */
  appointmentsUntil(until: IsoDate): Promise<PatientRow[]>;
  /** Directory rows of one facility (duplicate checks, reports). */
  directoryOfFacility(facility: FacilityCode): Promise<DirectoryRow[]>;
}

export interface StorageUsage {
  usageBytes: number;
  quotaBytes: number;
  persisted: boolean;
}

export type StorageErrorCode = 'quota-exceeded' | 'storage-unavailable' | 'write-failed';

/** Storage failures cross the port as data with a stable code. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}
