/**
 * The one announce path: every stored change (a write, a remote update, what storage revealed
 * of another tab's writes) reaches replication and the screens through here, and a throwing
 * listener never stops the others.
 */
import type { DocId } from './doc-id';

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
  /** What replication forwards: the signed envelopes of the change, or the plain update (SC14). */
  changes: readonly Uint8Array[],
) => void;

export class Announcer {
  private readonly listeners = new Set<UpdateListener>();
  private readonly changeListeners = new Set<(docId: DocId) => void>();

  onUpdate(listener: UpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onDocChanged(listener: (docId: DocId) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** A stored change: screens and replication. */
  update(
    docId: DocId,
    update: Uint8Array,
    origin: string,
    authors: ReadonlySet<string>,
    changes: readonly Uint8Array[],
  ): void {
    this.changed(docId);
    for (const listener of this.listeners) {
      try {
        listener(docId, update, origin, authors, changes);
      } catch (error) {
        console.error('Document update listener failed', error);
      }
    }
  }

  /** Only screens: what this tab shows may differ, though nothing new was stored. */
  changed(docId: DocId): void {
    for (const listener of this.changeListeners) {
      try {
        listener(docId);
      } catch (error) {
        console.error('Document change listener failed', error);
      }
    }
  }
}
