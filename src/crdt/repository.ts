/**
 * The document repository: the one place where Yjs documents meet storage.
 *
 * A write changes the live document under its lock, is persisted, and only then announced. No
 * copy of the document is made (issue 9: a register of 10,000 patients is a 3 MB document; a
 * copy per save cost a third of a second), so a save costs the size of the change. What peers
 * receive never holds a change that is not durable: replication reads a document's state and
 * diffs only once its commit settled (D21), and a failed write (a full disk) is rolled back by
 * dropping the live document, which the next read loads from storage again (D22).
 *
 * Storage is shared by the tabs of a device (docs/protocol.md §18, D1–D20): what
 * another tab stored is announced by this tab as soon as it reads it (D9), compaction is done
 * by the store over exactly what it holds (D3), and every document of one repository writes
 * under one client id, leased per tab (D16).
 */
import * as Y from 'yjs';
import type { Clock } from '../lib/deps';
import type { IsoDateTime } from '../domain/types';
import {
  captureChange,
  holdsNothingNew,
  localOrigin,
  pendingSize,
  type CapturedChange,
} from './change-capture';
import { Announcer, type UpdateListener } from './announcer';
import { DocCache, type OpenDoc } from './doc-cache';
import { DocLocks } from './doc-locks';
import { docKind, type DocId } from './doc-id';
import type { DocumentStore, DocWrite, StoredChange } from './ports';
import { changesBeyond, type ChangeCoalescer, type ChangeSigner } from './trust/change-signer';
import { projectDoc } from './projection';
import { migrateDoc } from './schema';
import type { RemoteOutcome, RemoteUpdateCheck } from './policy/refusal';

export { localOrigin } from './change-capture';

/**
 * Origin of a change this tab announces because storage revealed it: another tab of the device
 * stored it (D9). It is forwarded to every peer, the sender included: the sender of the update
 * that made this tab look may lack it.
 */
export const storageOrigin = 'storage';

export type { UpdateListener } from './announcer';

export interface RepositoryOptions {
  store: DocumentStore;
  clock: Clock;
  /** Documents kept open in memory, of every kind; the network doc stays open besides. */
  cacheLimit?: number;
  /** Encoded bytes of the open documents (registers weigh what they hold). */
  cacheBytes?: number;
  /** Stored updates per document before they are merged into one (default 32). */
  compactAfter?: number;
  /**
   * The same for patient records (default `compactAfter`). The app uses 4 (D4, decision 0023):
   * a record is small, its compaction runs off the save path, and it is what packs and
   * coalesces the record's changes.
   */
  compactPatientsAfter?: number;
  /** The update policy: every remote update passes it before anything is stored. */
  checkRemote?: RemoteUpdateCheck;
  /**
   * The Yjs client id of every write of this repository (D16). Reused across page sessions so
   * state vectors do not grow by one entry per session; never used by two live repositories at
   * once (the app leases it per tab). Random when absent.
   */
  clientId?: number;
  /**
   * SC1: signs every change this repository makes; the signed envelope is stored with the
   * update and is what replication sends. Without it (engine tests, tools) changes travel as
   * plain Yjs updates.
   */
  signChange?: ChangeSigner;
  /**
   * ST1 (decision 0023): at compaction, replaces runs of this device's own consecutive changes
   * by one signed change each. Only with `signChange`, by the same key.
   */
  coalesceChanges?: ChangeCoalescer;
}

/** One change from a peer: its Yjs update and, when signed, the envelope it came in. */
/** How `applyRemoteChanges` runs one batch (sync's `ApplyOptions`). */
export interface RemoteApplyOptions {
  /** SL2: asked between changes; a promise is awaited before the next change. */
  pause?: () => Promise<void> | undefined;
}

export interface RemoteChange {
  update: Uint8Array;
  change?: StoredChange;
}

export interface WriteOptions {
  meta?: ReadonlyArray<{ key: string; value: unknown }>;
}

export interface DocChange {
  docId: DocId;
  mutate: (doc: Y.Doc) => void;
}

const noAuthors: ReadonlySet<string> = new Set();
const emptyStateVector = Y.encodeStateVector(new Y.Doc());

interface PreparedChange {
  docId: DocId;
  entry: OpenDoc;
  captured: CapturedChange<unknown> & { update: Uint8Array };
}

export class DocumentRepository {
  private readonly cache: DocCache;
  private readonly locks = new DocLocks();
  /** D21: documents whose live copy holds a change not stored yet, until it is (or is undone). */
  private readonly committing = new Map<DocId, Promise<void>>();
  /** Compactions scheduled after a save resolved, by document (scheduleCompaction). */
  private readonly compactions = new Map<DocId, Promise<void>>();
  private readonly announce = new Announcer();
  private readonly store: DocumentStore;
  private readonly clock: Clock;
  private readonly compactAfter: number;
  private readonly compactPatientsAfter: number;
  private readonly checkRemote: RemoteUpdateCheck | undefined;
  private readonly signChange: ChangeSigner | undefined;
  private readonly coalesceChanges: ChangeCoalescer | undefined;
  /** The client id of every document this repository opens. */
  readonly clientId: number;
  /**
   * D23: the register this tab wrote last (its own facility's, written by every save) stays
   * open whatever the cache budget: loading a register of thousands again would cost a save
   * its whole size.
   */
  private lastWrittenRegister: DocId | undefined;

  constructor(options: RepositoryOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.compactAfter = options.compactAfter ?? 32;
    this.compactPatientsAfter = options.compactPatientsAfter ?? this.compactAfter;
    this.checkRemote = options.checkRemote;
    this.signChange = options.signChange;
    this.coalesceChanges = options.signChange ? options.coalesceChanges : undefined;
    this.clientId = options.clientId ?? new Y.Doc().clientID;
    this.cache = new DocCache(
      { maxDocs: options.cacheLimit ?? 200, maxBytes: options.cacheBytes ?? 4 * 1024 * 1024 },
      (docId) => this.locks.has(docId),
      (docId) => docId === this.lastWrittenRegister,
    );
    this.store.onForeignCommit?.((docId, update, changes) => {
      void this.takeForeignCommit(docId, update, changes).catch((error: unknown) =>
        console.warn(`Another tab's update of ${docId} not applied; it loads on next open`, error),
      );
    });
  }

  /** Durable changes to any document, local or remote, after they are stored. */
  onUpdate(listener: UpdateListener): () => void {
    return this.announce.onUpdate(listener);
  }

  /**
   * What a reader shows may have changed: every stored change (as `onUpdate`), and also a
   * document first loaded because a peer sent it, when another tab of this device had already
   * stored it (storage is shared between tabs, so nothing was new to store, yet this tab's
   * screens have not seen it).
   */
  onDocChanged(listener: (docId: DocId) => void): () => void {
    return this.announce.onDocChanged(listener);
  }

  /** Whether storage holds anything for this document. */
  async isStored(docId: DocId): Promise<boolean> {
    // A document open here with stored updates is stored: no read (issue 9: every save asks).
    const open = await this.cache.get(docId)?.catch(() => undefined);
    if (open && open.storedUpdates > 0) return true;
    return (await this.store.getDocInfo(docId)) !== undefined;
  }

  /**
   * The live document, as stored: a change in flight is waited for (D21), so a reader never shows
   * what a failed commit then undoes. Callers read it; they change it only through `write`.
   */
  async get(docId: DocId): Promise<Y.Doc> {
    await this.settled(docId);
    return (await this.load(docId)).doc;
  }

  /**
   * The live document with any change in flight: for the update policy only, which checks a
   * peer's change against the batch before it and runs while that batch's commit is pending
   * (waiting for it there would wait for itself).
   */
  async getUnsettled(docId: DocId): Promise<Y.Doc> {
    return (await this.load(docId)).doc;
  }

  /**
   * A closed document's state vector comes from storage (written with every commit), so
   * replication can compare thousands of documents without loading them. When storage holds
   * more than this tab last knew (another tab wrote), the document is loaded, so the change is
   * announced before replication is told it is held (D9).
   */
  async stateVector(docId: DocId): Promise<Uint8Array> {
    await this.settled(docId);
    const open = this.cache.get(docId);
    if (open) return Y.encodeStateVector((await open).doc);
    const info = await this.store.getDocInfo(docId);
    if (!info) return emptyStateVector;
    const known = this.cache.knownStateVector(docId);
    if (known && !covers(known, info.stateVector)) {
      return Y.encodeStateVector((await this.load(docId)).doc);
    }
    this.cache.rememberStateVector(docId, info.stateVector);
    return info.stateVector;
  }

  /**
   * D8: state vectors of closed documents that replication took from storage without asking
   * `stateVector` (e.g. one bulk `listDocs` at start). Later reads compare against them, so
   * what other tabs store afterwards is announced (D9) instead of assumed known.
   */
  noteKnownStateVectors(infos: Iterable<{ docId: DocId; stateVector: Uint8Array }>): void {
    for (const { docId, stateVector } of infos) this.cache.rememberStateVector(docId, stateVector);
  }

  /** D21: what a peer lacks, from durable state only (after any commit in flight settled). */
  async encodeDiff(docId: DocId, remoteStateVector?: Uint8Array): Promise<Uint8Array> {
    await this.settled(docId);
    return Y.encodeStateAsUpdate(await this.get(docId), remoteStateVector);
  }

  /** Whether this repository signs its changes (and so sends stored envelopes, SC14). */
  get signs(): boolean {
    return this.signChange !== undefined;
  }

  /**
   * SC15: what a peer with `remoteStateVector` lacks, as changes to send. Signed: the stored
   * envelopes that reach beyond it, unchanged (SC14). Unsigned: one diff, as Yjs computes it.
   */
  async changesSince(docId: DocId, remoteStateVector: Uint8Array): Promise<Uint8Array[]> {
    if (!this.signChange) {
      const diff = await this.encodeDiff(docId, remoteStateVector);
      return [diff];
    }
    const stored = await this.store.loadChanges(docId);
    return changesBeyond(stored, remoteStateVector).map((change) => change.bytes);
  }

  /**
   * Change a document. `mutate` runs on the live document inside one Yjs transaction; the change
   * is stored (with its index rows and `options.meta`, all or nothing) before listeners and
   * replication see it. Resolves with what `mutate` returned once the write is durable; a
   * failed commit undoes the change (D22) and rejects.
   */
  async write<T>(docId: DocId, mutate: (doc: Y.Doc) => T, options: WriteOptions = {}): Promise<T> {
    return this.locks.run(docId, async () => {
      const entry = await this.load(docId);
      return this.uncommitted([docId], async () => {
        const captured = captureChange(entry.doc, docId, () => mutate(entry.doc));
        if (captured.update === null) return captured.result;
        const changes = await this.signed(docId, captured.update);
        await this.store.commit(
          this.docWrite(docId, entry.doc, captured.update, captured, options, changes),
        );
        this.afterStored(docId, entry, captured.update, localOrigin, captured.authors, changes);
        this.scheduleCompaction(docId, entry);
        return captured.result;
      });
    });
  }

  /**
   * D5: change several documents as one unit. Every change is made on its live document; all
   * are stored in one transaction (`commitMany`, with `options.meta`), and only then announced.
   * A failure stores and announces nothing and undoes every change (D22). Changes of one
   * document apply in the order given.
   */
  async writeMany(changes: ReadonlyArray<DocChange>, options: WriteOptions = {}): Promise<void> {
    const docIds = changes.map((change) => change.docId);
    await this.locks.runAll(docIds, async () => {
      const entries = new Map<DocId, OpenDoc>();
      for (const docId of docIds)
        if (!entries.has(docId)) entries.set(docId, await this.load(docId));
      await this.uncommitted([...entries.keys()], async () => {
        const prepared: PreparedChange[] = [];
        for (const { docId, mutate } of changes) {
          const entry = entries.get(docId)!;
          const captured = captureChange(entry.doc, docId, () => mutate(entry.doc));
          if (captured.update === null) continue;
          prepared.push({ docId, entry, captured: { ...captured, update: captured.update } });
        }
        if (prepared.length === 0) return;
        // Signed side by side: WebCrypto runs each signature off the main thread.
        const signed: StoredChange[][] = await Promise.all(
          prepared.map((change) => this.signed(change.docId, change.captured.update)),
        );
        const writes = prepared.map((change, index) =>
          this.docWrite(
            change.docId,
            change.entry.doc,
            change.captured.update,
            change.captured,
            index === 0 ? options : {},
            signed[index],
          ),
        );
        await this.store.commitMany(writes);
        prepared.forEach((change, index) => {
          this.afterStored(
            change.docId,
            change.entry,
            change.captured.update,
            localOrigin,
            change.captured.authors,
            signed[index]!,
          );
        });
      });
      for (const [docId, entry] of entries) this.scheduleCompaction(docId, entry);
    });
  }

  /**
   * Store and apply an update from a peer. Rejects, changing nothing, when the update is
   * malformed; resolves `refused` (changing nothing) when the update policy refuses it, and
   * `unchanged` when it held nothing new.
   */
  async applyRemote(docId: DocId, update: Uint8Array, origin: string): Promise<RemoteOutcome> {
    const [outcome] = await this.applyRemoteChanges(docId, [{ update }], origin);
    return outcome!;
  }

  /** SC23: changes that will be applied soon; the policy may start what does not need order. */
  prepareRemote(changes: readonly RemoteChange[]): void {
    this.checkRemote?.prepare?.(changes.map((c) => c.change));
  }

  /**
   * Store and apply changes from a peer, in order, as one unit: each is checked (the update
   * policy, and for a signed change its signature and the write rules) against the document as
   * the earlier ones of the batch left it, and applied to the live document; what was accepted
   * is stored in one commit, with the envelopes, and only then announced. So a catch-up of many
   * changes costs one commit, not one per change, and no copy of the document. A refused change
   * is dropped alone; the others go on. Rejects, storing nothing of the batch and undoing what
   * it applied (D22), when an update is malformed.
   */
  async applyRemoteChanges(
    docId: DocId,
    changes: readonly RemoteChange[],
    origin: string,
    options: RemoteApplyOptions = {},
  ): Promise<RemoteOutcome[]> {
    return this.locks.run(docId, async (): Promise<RemoteOutcome[]> => {
      const wasOpen = this.cache.has(docId);
      // A document loaded because a peer sent something: whatever storage holds that this tab
      // never reported is announced (D9), so another tab's write reaches the other devices.
      const { entry, revealed } = await this.loadRevealing(docId, { unknownIsEmpty: true });
      const outcomes: RemoteOutcome[] = [];
      this.checkRemote?.prepare?.(changes.map((c) => c.change));
      const applied = await this.uncommitted([docId], () =>
        this.applyChecked(docId, entry, changes, origin, outcomes, options.pause),
      );
      if (!applied) {
        if (!wasOpen && !revealed) this.announce.changed(docId);
        return outcomes;
      }
      this.scheduleCompaction(docId, entry);
      return outcomes;
    });
  }

  /**
   * The checked part of `applyRemoteChanges`, on the live document with its commit marked in
   * flight: each change is checked against the document as the earlier ones left it and applied;
   * what was accepted is stored in one commit, then announced. Resolves whether anything was.
   */
  private async applyChecked(
    docId: DocId,
    entry: OpenDoc,
    changes: readonly RemoteChange[],
    origin: string,
    outcomes: RemoteOutcome[],
    pause?: () => Promise<void> | undefined,
  ): Promise<boolean> {
    const doc = entry.doc;
    const accepted: RemoteChange[] = [];
    const changedKeys = new Set<string>();
    const authors = new Set<string>();
    for (const change of changes) {
      // SL2: a long batch gives the event loop a turn between changes. Readers wait for the
      // commit meanwhile (D21), so nothing half-applied is shown or sent.
      const wait = pause?.();
      if (wait) await wait;
      if (isDuplicate(doc, change.update)) {
        outcomes.push({ type: 'unchanged' });
        continue;
      }
      if (this.checkRemote) {
        const verdict = await this.checkRemote(docId, doc, change.update, change.change);
        if (!verdict.ok) {
          outcomes.push({ type: 'refused', refusal: verdict.error });
          continue;
        }
      }
      const pendingBefore = pendingSize(doc);
      let captured: CapturedChange<void>;
      try {
        captured = captureChange(doc, docId, () => Y.applyUpdate(doc, change.update, origin));
      } catch (cause) {
        throw new Error(`Malformed update for ${docId}`, { cause });
      }
      // An update whose dependencies have not arrived yet waits inside Yjs as pending; it is
      // still new information and is stored so it survives a restart.
      const pendingGrew = pendingSize(doc) !== pendingBefore;
      if (captured.update === null && !pendingGrew) {
        outcomes.push({ type: 'unchanged' });
        continue;
      }
      for (const key of captured.changedKeys) changedKeys.add(key);
      for (const author of captured.authors) authors.add(author);
      accepted.push(change);
      outcomes.push({ type: 'applied' });
    }
    if (accepted.length === 0) return false;
    const update =
      accepted.length === 1 ? accepted[0]!.update : Y.mergeUpdates(accepted.map((c) => c.update));
    const stored = accepted.flatMap((c) => (c.change ? [c.change] : []));
    await this.store.commit(this.docWrite(docId, doc, update, { changedKeys }, {}, stored));
    entry.storedUpdates += 1;
    entry.bytes += update.byteLength;
    this.announce.update(
      docId,
      update,
      origin,
      authors,
      accepted.map((c) => c.change?.bytes ?? c.update),
    );
    return true;
  }

  /**
   * D6: forget a document here (its updates, its info and patient rows; directory rows stay).
   * Throws while an operation on it is in flight or queued: the caller retries later rather
   * than losing a write that is being made.
   */
  async remove(docId: DocId): Promise<void> {
    if (this.locks.has(docId)) {
      throw new Error(`${docId} cannot be removed while a write to it is in flight`);
    }
    await this.locks.run(docId, async () => {
      await this.store.removeDoc(docId);
      this.cache.drop(docId);
    });
  }

  /**
   * D10: another tab stored an update. A document open here applies it live; either way it is
   * announced (origin `storage`), so replication forwards it to peers and drops its digest: the
   * tab that wrote it may not be the one connected to other devices, and its tab link may be
   * down.
   */
  private async takeForeignCommit(
    docId: DocId,
    update: Uint8Array,
    changes: readonly StoredChange[],
  ): Promise<void> {
    const sent = this.signChange ? changes.map((change) => change.bytes) : [update];
    await this.locks.run(docId, async () => {
      // A load still running may have read storage before this commit: wait for it, then apply.
      const open = this.cache.get(docId);
      if (!open) {
        // No storage read here: what this tab knew stays as it was, so a later read may announce
        // this change once more (a duplicate costs a decode, D12).
        this.announce.update(docId, update, storageOrigin, noAuthors, sent);
        return;
      }
      const entry = await open;
      // Not a duplicate: it holds structs or deletes this document lacks.
      if (isDuplicate(entry.doc, update)) return;
      Y.applyUpdate(entry.doc, update, storageOrigin);
      entry.bytes += update.byteLength;
      this.announce.update(docId, update, storageOrigin, noAuthors, sent);
    });
  }

  /** Documents held in storage, for listing and for replication. */
  async storedDocIds(): Promise<DocId[]> {
    return (await this.store.listDocs()).map((info) => info.docId);
  }

  private docWrite(
    docId: DocId,
    doc: Y.Doc,
    update: Uint8Array,
    captured: Pick<CapturedChange<unknown>, 'changedKeys'>,
    options: WriteOptions,
    changes: readonly StoredChange[] = [],
  ): DocWrite {
    const at = new Date(this.clock.now()).toISOString() as IsoDateTime;
    const projection = projectDoc(docId, doc, captured.changedKeys, at);
    return {
      docId,
      kind: docKind(docId),
      update,
      stateVector: Y.encodeStateVector(doc),
      ...(projection ? { projection } : {}),
      ...(options.meta ? { meta: options.meta } : {}),
      ...(changes.length > 0 ? { changes } : {}),
    };
  }

  /** SC1: the change as signed by this device, or nothing when this repository does not sign. */
  private async signed(docId: DocId, update: Uint8Array): Promise<StoredChange[]> {
    return this.signChange ? [await this.signChange(docId, update)] : [];
  }

  /** A change of ours, already in the live document, is stored: announce it. */
  private afterStored(
    docId: DocId,
    entry: OpenDoc,
    update: Uint8Array,
    origin: string,
    authors: ReadonlySet<string>,
    changes: readonly StoredChange[],
  ): void {
    entry.storedUpdates += 1;
    entry.bytes += update.byteLength;
    if (docKind(docId) === 'register') this.lastWrittenRegister = docId;
    this.announce.update(docId, update, origin, authors, this.sendable(update, changes));
  }

  /** What replication forwards of a stored change: its envelopes, or the plain update. */
  private sendable(update: Uint8Array, changes: readonly StoredChange[]): Uint8Array[] {
    return this.signChange ? changes.map((change) => change.bytes) : [update];
  }

  /**
   * Compaction never runs on the awaited save path (issue 9): a write schedules it and resolves;
   * it runs in a later task, outside the document lock. That is safe because the store merges
   * exactly the updates it read, or stores nothing when the document changed meanwhile (D3): a
   * write committed meanwhile is never lost. At most one compaction per document is
   * scheduled or running.
   */
  private scheduleCompaction(docId: DocId, entry: OpenDoc): void {
    const after = docKind(docId) === 'patient' ? this.compactPatientsAfter : this.compactAfter;
    if (entry.storedUpdates < after || this.compactions.has(docId)) return;
    const run = new Promise<void>((resolve) => setTimeout(resolve, 0))
      .then(() => this.compactNow(docId, entry, true))
      .finally(() => this.compactions.delete(docId));
    this.compactions.set(docId, run);
  }

  private async compactNow(
    docId: DocId,
    entry: OpenDoc | undefined,
    tiered: boolean,
  ): Promise<void> {
    try {
      // D3: the store merges exactly what it holds, other tabs' writes included.
      const coalesce = this.coalesceChanges;
      const merged = await this.store.compact(docId, {
        ...(coalesce ? { coalesce: (changes) => coalesce(docId, changes) } : {}),
        // D24: in the background only the newest rows merge; an explicit compaction merges all.
        tiered,
      });
      // Writes stored while it ran stay counted: only the `merged` rows became one.
      if (entry && merged > 1)
        entry.storedUpdates = Math.max(1, entry.storedUpdates - (merged - 1));
    } catch (error) {
      // The uncompacted updates are still stored and complete; compaction retries next write.
      console.warn(`Compaction of ${docId} failed; will retry`, error);
    }
  }

  /**
   * Compacts a document now, whatever its count (tools, benchmarks, tests); waits for one
   * already scheduled first.
   */
  async compact(docId: DocId): Promise<void> {
    await this.compactions.get(docId);
    const open = this.cache.get(docId);
    await this.compactNow(docId, open ? await open : undefined, false);
  }

  /** Resolves once no compaction is scheduled or running (tests, tools, orderly shutdown). */
  async idle(): Promise<void> {
    while (this.compactions.size > 0) await Promise.all([...this.compactions.values()]);
  }

  private load(docId: DocId): Promise<OpenDoc> {
    return this.loadRevealing(docId, { unknownIsEmpty: false }).then(({ entry }) => entry);
  }

  /**
   * The open document, loaded from storage when closed. `revealed` says whether loading
   * announced changes this tab had not known (D9): compared with the state vector this tab last
   * knew of the document, or, with `unknownIsEmpty`, with nothing when it never knew it.
   */
  private async loadRevealing(
    docId: DocId,
    options: { unknownIsEmpty: boolean },
  ): Promise<{ entry: OpenDoc; revealed: boolean }> {
    const cached = this.cache.get(docId);
    if (cached) return { entry: await cached, revealed: false };
    const known =
      this.cache.knownStateVector(docId) ?? (options.unknownIsEmpty ? emptyStateVector : undefined);
    const loading = this.loadFromStore(docId);
    this.cache.add(docId, loading);
    const entry = await loading;
    if (!known || covers(known, Y.encodeStateVector(entry.doc))) return { entry, revealed: false };
    const diff = Y.encodeStateAsUpdate(entry.doc, known);
    const sent = this.signChange
      ? changesBeyond(await this.store.loadChanges(docId), known).map((change) => change.bytes)
      : [diff];
    this.announce.update(docId, diff, storageOrigin, noAuthors, sent);
    return { entry, revealed: true };
  }

  private async loadFromStore(docId: DocId): Promise<OpenDoc> {
    // A guid given, because Yjs otherwise draws a random UUID one getRandomValues call per hex
    // digit: about a tenth of a catch-up's time went there (issue 9 point 4). Only subdocuments
    // use the guid; these documents have none.
    const doc = new Y.Doc({ gc: true, guid: docId });
    const updates = await this.store.loadUpdates(docId);
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update, 'storage');
    }, 'storage');
    // D17: set after loading: Yjs would take our own stored structs for another client using
    // our id and switch to a random one. The stored state is complete (every write of this id
    // was stored before it was applied anywhere), so writing on from it is safe.
    doc.clientID = this.clientId;
    const bytes = updates.reduce((sum, update) => sum + update.byteLength, 0);
    const entry: OpenDoc = { doc, storedUpdates: updates.length, bytes };
    if (updates.length > 0) await this.migrateIfNeeded(docId, entry);
    return entry;
  }

  /** Runs before the loaded document is handed to anyone, so a failure just fails the load. */
  private async migrateIfNeeded(docId: DocId, entry: OpenDoc): Promise<void> {
    const doc = entry.doc;
    const captured = captureChange(doc, docId, () => migrateDoc(doc, docKind(docId)));
    if (captured.update === null) return;
    const changes = await this.signed(docId, captured.update);
    await this.store.commit(this.docWrite(docId, doc, captured.update, captured, {}, changes));
    entry.storedUpdates += 1;
    entry.bytes += captured.update.byteLength;
  }

  /** D21: waits until no commit of `docId` is in flight (or being undone). */
  private async settled(docId: DocId): Promise<void> {
    const pending = this.committing.get(docId);
    if (pending) await pending;
  }

  /**
   * Runs `body`, which changes the live documents `docIds` before their commit. While it runs
   * they are marked in flight (D21); when it fails, every change it made is undone by dropping
   * the live documents, so the next read loads what storage holds (D22). Their clocks are
   * reused by the next write: safe, as nothing of the undone change left this tab.
   */
  private async uncommitted<T>(docIds: readonly DocId[], body: () => Promise<T>): Promise<T> {
    let done!: () => void;
    const marker = new Promise<void>((resolve) => (done = resolve));
    for (const docId of docIds) this.committing.set(docId, marker);
    try {
      return await body();
    } catch (error) {
      for (const docId of docIds) {
        this.cache.drop(docId);
        if (this.lastWrittenRegister === docId) this.lastWrittenRegister = undefined;
        this.announce.changed(docId);
      }
      throw error;
    } finally {
      for (const docId of docIds) {
        if (this.committing.get(docId) === marker) this.committing.delete(docId);
      }
      done();
    }
  }
}

/** Whether state vector `known` has every change `other` has (per client, clock ≥). */
function covers(known: Uint8Array, other: Uint8Array): boolean {
  const knownClocks = Y.decodeStateVector(known);
  for (const [client, clock] of Y.decodeStateVector(other)) {
    if ((knownClocks.get(client) ?? 0) < clock) return false;
  }
  return true;
}

/** A malformed update is not a duplicate: it goes on to be rejected by the apply below. */
function isDuplicate(doc: Y.Doc, update: Uint8Array): boolean {
  try {
    return holdsNothingNew(doc, update);
  } catch {
    return false;
  }
}
