/**
 * The live documents of one tab: an LRU cache with one budget across document kinds (D14).
 * A register of thousands of patients costs memory like thousands of records, so registers are
 * evicted like any document; only the network document (small, read on every screen) stays.
 * A document with an operation in flight is never evicted: a write holds its document's lock
 * from load to announce, and the cache asks the repository which documents are busy.
 *
 * The cache also remembers, per document it no longer holds open, the state vector this tab
 * last knew of it (evicted, or reported to replication from storage). Comparing that with what
 * storage says later tells the repository what other tabs of the device stored meanwhile (D9).
 */
import * as Y from 'yjs';
import { docKind, type DocId } from './doc-id';

export interface OpenDoc {
  doc: Y.Doc;
  /** Updates this tab stored or loaded since the last compaction it ran. */
  storedUpdates: number;
  /** Encoded bytes loaded or written: the cost of the document in the budget. */
  bytes: number;
}

export interface CacheBudget {
  /** Documents kept open, of every kind but the network document. */
  maxDocs: number;
  /** Encoded bytes of the documents kept open (heap is a small multiple of this). */
  maxBytes: number;
}

/** A state vector kept as a compact string: one JS string costs far less than a typed array. */
const packStateVector = (sv: Uint8Array): string => String.fromCharCode(...sv);
const unpackStateVector = (packed: string): Uint8Array =>
  Uint8Array.from(packed, (char) => char.charCodeAt(0));

export class DocCache {
  private readonly open = new Map<DocId, Promise<OpenDoc>>();
  private readonly resolved = new Map<DocId, OpenDoc>();
  private readonly known = new Map<DocId, string>();

  constructor(
    private readonly budget: CacheBudget,
    private readonly isBusy: (docId: DocId) => boolean,
    /** D23: documents kept open whatever the budget (the registers this tab writes). */
    private readonly isPinned: (docId: DocId) => boolean = () => false,
  ) {}

  has(docId: DocId): boolean {
    return this.open.has(docId);
  }

  /** The open document, refreshed as most recently used. */
  get(docId: DocId): Promise<OpenDoc> | undefined {
    const cached = this.open.get(docId);
    if (cached) {
      this.open.delete(docId);
      this.open.set(docId, cached);
    }
    return cached;
  }

  add(docId: DocId, loading: Promise<OpenDoc>): void {
    this.open.set(docId, loading);
    loading.then(
      (entry) => {
        if (this.open.get(docId) !== loading) return;
        this.resolved.set(docId, entry);
        this.known.delete(docId);
        this.evict();
      },
      () => {
        if (this.open.get(docId) === loading) this.open.delete(docId);
      },
    );
  }

  /** Drop a document (removed from storage): nothing of it is remembered. */
  drop(docId: DocId): void {
    const entry = this.resolved.get(docId);
    this.open.delete(docId);
    this.resolved.delete(docId);
    this.known.delete(docId);
    entry?.doc.destroy();
  }

  /** What this tab last knew of a document it does not hold open. */
  knownStateVector(docId: DocId): Uint8Array | undefined {
    const packed = this.known.get(docId);
    return packed === undefined ? undefined : unpackStateVector(packed);
  }

  rememberStateVector(docId: DocId, stateVector: Uint8Array): void {
    if (!this.open.has(docId)) this.known.set(docId, packStateVector(stateVector));
  }

  /** Evict least recently used documents until the cache is within its budget. */
  evict(): void {
    let docs = 0;
    let bytes = 0;
    for (const [docId, entry] of this.resolved) {
      if (docKind(docId) === 'network') continue;
      docs += 1;
      bytes += entry.bytes;
    }
    const order = [...this.open.keys()];
    // The most recently used document is the one a caller is about to read: never evicted, even
    // when it alone is over the budget, or every read of it would load it again.
    order.pop();
    for (const docId of order) {
      if (docs <= this.budget.maxDocs && bytes <= this.budget.maxBytes) break;
      const entry = this.resolved.get(docId);
      // A document still loading is about to be used; a busy one is being written.
      if (!entry || docKind(docId) === 'network' || this.isBusy(docId) || this.isPinned(docId))
        continue;
      this.open.delete(docId);
      this.resolved.delete(docId);
      this.known.set(docId, packStateVector(Y.encodeStateVector(entry.doc)));
      docs -= 1;
      bytes -= entry.bytes;
      entry.doc.destroy();
    }
  }
}
