/**
 * The document repository: the one place where Yjs documents meet storage.
 *
 * Writes are made on a scratch copy, persisted, and only then applied to the live document.
 * So the live document (what the UI shows and peers receive) never holds a change that is not
 * durable, and a failed write (a full disk) leaves nothing half-written anywhere.
 */
import * as Y from 'yjs';
import type { Clock } from '../lib/deps';
import type { IsoDateTime } from '../domain/types';
import { docKind, facilityOfRegisterDoc, type DocId } from './doc-id';
import { isEntry } from './entries';
import { entryLists } from './patient-doc';
import type { DocumentStore } from './ports';
import { projectDoc } from './projection';
import { changedSummaryKeys, registerPatients } from './register-doc';
import { migrateDoc } from './schema';
import type { RemoteOutcome, RemoteUpdateCheck } from './policy/refusal';

/** Transaction origin of writes made on this device. */
export const localOrigin = 'local';

/**
 * `authors` are the facilities whose clinical data the update brought: the facility stamped on
 * each new entry, or a register's facility for a new registration. Reports use it to say how
 * recent each facility's data is, whichever device carried it here.
 */
export type UpdateListener = (
  docId: DocId,
  update: Uint8Array,
  origin: string,
  authors: ReadonlySet<string>,
) => void;

export interface RepositoryOptions {
  store: DocumentStore;
  clock: Clock;
  /** Patient documents kept open in memory; registers and the network doc stay open. */
  cacheLimit?: number;
  /** Stored updates per document before they are merged into one. */
  compactAfter?: number;
  /** The update policy: every remote update passes it before anything is stored. */
  checkRemote?: RemoteUpdateCheck;
}

interface OpenDoc {
  doc: Y.Doc;
  storedUpdates: number;
}

export interface WriteOptions {
  meta?: ReadonlyArray<{ key: string; value: unknown }>;
}

export class DocumentRepository {
  private readonly open = new Map<DocId, Promise<OpenDoc>>();
  private readonly locks = new Map<DocId, Promise<unknown>>();
  private readonly listeners = new Set<UpdateListener>();
  private readonly changeListeners = new Set<(docId: DocId) => void>();
  private readonly store: DocumentStore;
  private readonly clock: Clock;
  private readonly cacheLimit: number;
  private readonly compactAfter: number;
  private readonly checkRemote: RemoteUpdateCheck | undefined;

  constructor(options: RepositoryOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.cacheLimit = options.cacheLimit ?? 200;
    this.compactAfter = options.compactAfter ?? 32;
    this.checkRemote = options.checkRemote;
  }

  /** Durable changes to any document, local or remote, after they are stored. */
  onUpdate(listener: UpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * What a reader shows may have changed: every stored change (as `onUpdate`), and also a
   * document first loaded because a peer sent it, when another tab of this device had already
   * stored it (storage is shared between tabs, so nothing was new to store, yet this tab's
   * screens have not seen it).
   */
  onDocChanged(listener: (docId: DocId) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Whether storage holds anything for this document. */
  async isStored(docId: DocId): Promise<boolean> {
    return (await this.store.getDocInfo(docId)) !== undefined;
  }

  /** The live document. Callers read it; they change it only through `write`. */
  async get(docId: DocId): Promise<Y.Doc> {
    return (await this.load(docId)).doc;
  }

  /**
   * A closed document's state vector comes from storage (written with every commit), so
   * replication can compare thousands of documents without loading them.
   */
  async stateVector(docId: DocId): Promise<Uint8Array> {
    const open = this.open.get(docId);
    if (open) return Y.encodeStateVector((await open).doc);
    const info = await this.store.getDocInfo(docId);
    return info ? info.stateVector : Y.encodeStateVector(new Y.Doc());
  }

  async encodeDiff(docId: DocId, remoteStateVector?: Uint8Array): Promise<Uint8Array> {
    return Y.encodeStateAsUpdate(await this.get(docId), remoteStateVector);
  }

  /**
   * Change a document. `mutate` runs on a scratch copy inside one Yjs transaction; the change is
   * stored (with its index rows and `options.meta`, all or nothing) before the live document and
   * listeners see it. Resolves with what `mutate` returned once the write is durable.
   */
  async write<T>(docId: DocId, mutate: (doc: Y.Doc) => T, options: WriteOptions = {}): Promise<T> {
    return this.exclusive(docId, async () => {
      const entry = await this.load(docId);
      const scratch = cloneDoc(entry.doc);
      const { update, changedKeys, authors, result } = captureChange(scratch, docId, () =>
        mutate(scratch),
      );
      if (update === null) return result;
      await this.persist(docId, entry, scratch, update, changedKeys, options);
      applyOwnUpdate(entry.doc, update);
      this.emit(docId, update, localOrigin, authors);
      await this.maybeCompact(docId, entry);
      return result;
    });
  }

  /**
   * Store and apply an update from a peer. Rejects, changing nothing, when the update is
   * malformed; resolves `refused` (changing nothing) when the update policy refuses it, and
   * `unchanged` when it held nothing new.
   */
  async applyRemote(docId: DocId, update: Uint8Array, origin: string): Promise<RemoteOutcome> {
    return this.exclusive(docId, async (): Promise<RemoteOutcome> => {
      const wasOpen = this.open.has(docId);
      const entry = await this.load(docId);
      if (this.checkRemote) {
        const verdict = await this.checkRemote(docId, entry.doc, update);
        if (!verdict.ok) return { type: 'refused', refusal: verdict.error };
      }
      const scratch = cloneDoc(entry.doc);
      const pendingBefore = pendingSize(scratch);
      let changed: ReturnType<typeof captureChange<void>>;
      try {
        changed = captureChange(scratch, docId, () => Y.applyUpdate(scratch, update, origin));
      } catch (cause) {
        throw new Error(`Malformed update for ${docId}`, { cause });
      }
      // An update whose dependencies have not arrived yet waits inside Yjs as pending; it is
      // still new information and is stored so it survives a restart.
      const pendingGrew = pendingSize(scratch) !== pendingBefore;
      if (changed.update === null && !pendingGrew) {
        if (!wasOpen) this.emitChanged(docId);
        return { type: 'unchanged' };
      }
      await this.persist(docId, entry, scratch, update, changed.changedKeys, {});
      Y.applyUpdate(entry.doc, update, origin);
      this.emit(docId, update, origin, changed.authors);
      await this.maybeCompact(docId, entry);
      return { type: 'applied' };
    });
  }

  /** Documents held in storage, for listing and for replication. */
  async storedDocIds(): Promise<DocId[]> {
    return (await this.store.listDocs()).map((info) => info.docId);
  }

  private async persist(
    docId: DocId,
    entry: OpenDoc,
    scratch: Y.Doc,
    update: Uint8Array,
    changedKeys: ReadonlySet<string>,
    options: WriteOptions,
  ): Promise<void> {
    const at = new Date(this.clock.now()).toISOString() as IsoDateTime;
    const projection = projectDoc(docId, scratch, changedKeys, at);
    await this.store.commit({
      docId,
      kind: docKind(docId),
      update,
      stateVector: Y.encodeStateVector(scratch),
      ...(projection ? { projection } : {}),
      ...(options.meta ? { meta: options.meta } : {}),
    });
    entry.storedUpdates += 1;
  }

  private async maybeCompact(docId: DocId, entry: OpenDoc): Promise<void> {
    if (entry.storedUpdates < this.compactAfter) return;
    const merged = Y.encodeStateAsUpdate(entry.doc);
    try {
      await this.store.compact(docId, merged, entry.storedUpdates);
      entry.storedUpdates = 1;
    } catch (error) {
      // The uncompacted updates are still stored and complete; compaction retries next write.
      console.warn(`Compaction of ${docId} failed; will retry`, error);
    }
  }

  private load(docId: DocId): Promise<OpenDoc> {
    const cached = this.open.get(docId);
    if (cached) {
      // Refresh recency for the LRU order.
      this.open.delete(docId);
      this.open.set(docId, cached);
      return cached;
    }
    const loading = this.loadFromStore(docId);
    this.open.set(docId, loading);
    loading.catch(() => this.open.delete(docId));
    this.evict();
    return loading;
  }

  private async loadFromStore(docId: DocId): Promise<OpenDoc> {
    const doc = new Y.Doc({ gc: true });
    const updates = await this.store.loadUpdates(docId);
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update, 'storage');
    }, 'storage');
    const entry: OpenDoc = { doc, storedUpdates: updates.length };
    if (updates.length > 0) await this.migrateIfNeeded(docId, entry);
    return entry;
  }

  private async migrateIfNeeded(docId: DocId, entry: OpenDoc): Promise<void> {
    const scratch = cloneDoc(entry.doc);
    const { update, changedKeys } = captureChange(scratch, docId, () =>
      migrateDoc(scratch, docKind(docId)),
    );
    if (update === null) return;
    await this.persist(docId, entry, scratch, update, changedKeys, {});
    applyOwnUpdate(entry.doc, update);
  }

  private evict(): void {
    let patients = 0;
    for (const id of this.open.keys()) if (docKind(id) === 'patient') patients += 1;
    for (const id of this.open.keys()) {
      if (patients <= this.cacheLimit) break;
      if (docKind(id) !== 'patient' || this.locks.has(id)) continue;
      const evicted = this.open.get(id);
      this.open.delete(id);
      patients -= 1;
      void evicted?.then((entry) => entry.doc.destroy());
    }
  }

  /** Run one operation per document at a time, so scratch copies never race. */
  private exclusive<T>(docId: DocId, run: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(docId) ?? Promise.resolve();
    const next = previous.then(run, run);
    const tail = next.catch(() => undefined);
    this.locks.set(docId, tail);
    void tail.then(() => {
      if (this.locks.get(docId) === tail) this.locks.delete(docId);
    });
    return next;
  }

  private emitChanged(docId: DocId): void {
    for (const listener of this.changeListeners) {
      try {
        listener(docId);
      } catch (error) {
        console.error('Document change listener failed', error);
      }
    }
  }

  private emit(
    docId: DocId,
    update: Uint8Array,
    origin: string,
    authors: ReadonlySet<string>,
  ): void {
    this.emitChanged(docId);
    for (const listener of this.listeners) {
      try {
        listener(docId, update, origin, authors);
      } catch (error) {
        console.error('Document update listener failed', error);
      }
    }
  }
}

/** A copy that continues the original's client id, so its changes extend the same clock. */
function cloneDoc(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc({ gc: true });
  copy.clientID = doc.clientID;
  applyOwnUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/**
 * Apply a change this device made (on a scratch copy) to a document with the same client id.
 * Yjs marks every applied update non-local and, when a non-local transaction advances the
 * document's own clock, switches to a fresh client id: one new state-vector entry per write.
 * The change is ours, so the transaction is marked local again before it closes.
 */
function applyOwnUpdate(doc: Y.Doc, update: Uint8Array): void {
  doc.transact((transaction) => {
    Y.applyUpdate(doc, update, localOrigin);
    transaction.local = true;
  }, localOrigin);
}

function pendingSize(doc: Y.Doc): number {
  const store = doc.store as unknown as {
    pendingStructs: { update: Uint8Array } | null;
    pendingDs: Uint8Array | null;
  };
  return (store.pendingStructs?.update.length ?? 0) + (store.pendingDs?.length ?? 0);
}

/**
 * Run `change` and collect the Yjs update it produced, the register rows it touched and the
 * facilities whose data it added.
 */
function captureChange<T>(
  doc: Y.Doc,
  docId: DocId,
  change: () => T,
): { update: Uint8Array | null; changedKeys: Set<string>; authors: Set<string>; result: T } {
  const kind = docKind(docId);
  const updates: Uint8Array[] = [];
  const changedKeys = new Set<string>();
  const authors = new Set<string>();
  const onUpdate = (update: Uint8Array) => updates.push(update);
  const registerFacility = facilityOfRegisterDoc(docId);
  const onRegister = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    for (const key of changedSummaryKeys(events)) changedKeys.add(key);
    for (const event of events) {
      if (event.path.length !== 0 || !registerFacility) continue;
      for (const change of event.changes.keys.values()) {
        if (change.action === 'add') authors.add(registerFacility);
      }
    }
  };
  const onEntries = (event: Y.YArrayEvent<unknown>) => {
    for (const item of event.changes.added) {
      for (const value of item.content.getContent() as unknown[]) {
        if (isEntry(value)) authors.add(value.stamp.facilityCode);
      }
    }
  };
  const patients = kind === 'register' ? registerPatients(doc) : undefined;
  const lists = kind === 'patient' ? entryLists(doc) : [];
  doc.on('update', onUpdate);
  patients?.observeDeep(onRegister);
  for (const list of lists) list.observe(onEntries);
  let result: T;
  try {
    result = doc.transact(change, localOrigin);
  } finally {
    doc.off('update', onUpdate);
    patients?.unobserveDeep(onRegister);
    for (const list of lists) list.unobserve(onEntries);
  }
  const update =
    updates.length === 0 ? null : updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
  return { update, changedKeys, authors, result };
}
