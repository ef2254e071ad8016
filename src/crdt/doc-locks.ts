/**
 * One operation per document at a time, so scratch copies never race. Several documents are
 * locked in one (sorted) order, so two multi-document writes never wait on each other in a
 * circle.
 */
import type { DocId } from './doc-id';

export class DocLocks {
  private readonly tails = new Map<DocId, Promise<unknown>>();

  /** Whether an operation on the document is running or queued. */
  has(docId: DocId): boolean {
    return this.tails.has(docId);
  }

  run<T>(docId: DocId, operation: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(docId) ?? Promise.resolve();
    const next = previous.then(operation, operation);
    const tail = next.catch(() => undefined);
    this.tails.set(docId, tail);
    void tail.then(() => {
      if (this.tails.get(docId) === tail) this.tails.delete(docId);
    });
    return next;
  }

  runAll<T>(docIds: readonly DocId[], operation: () => Promise<T>): Promise<T> {
    const [first, ...rest] = [...new Set(docIds)].sort();
    if (first === undefined) return operation();
    return this.run(first, () => this.runAll(rest, operation));
  }
}
