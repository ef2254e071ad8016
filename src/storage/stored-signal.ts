/**
 * D10: tells the other tabs of a device what this tab just stored, so a tab with the document
 * open applies it at once, whether or not the tabs' sync link is up ("Work offline" cuts that
 * link; storage is still shared). Only updates already committed are signalled, so a receiver
 * never sees a change that is not durable. BroadcastChannel reaches every tab of the origin.
 */
import type { DocId } from '../crdt/doc-id';
import { isDocId } from '../crdt/doc-id';
import type { StoredChange } from '../crdt/ports';

export type StoredListener = (
  docId: DocId,
  update: Uint8Array,
  changes: readonly StoredChange[],
) => void;

export interface StoredWrite {
  docId: DocId;
  update: Uint8Array;
  changes?: readonly StoredChange[];
}

export interface StoredSignal {
  post(writes: readonly StoredWrite[]): void;
  listen(listener: StoredListener): () => void;
  /** Documents this tab removed from storage (pruning), once the removal is committed. */
  postRemovals(docIds: readonly DocId[]): void;
  /** Another tab's removals: a tab holding the document in memory (search) forgets it. */
  listenRemovals(listener: (docId: DocId) => void): () => void;
  close(): void;
}

interface ChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  unref?: () => void;
}

/**
 * In Node tests every device of a simulated network runs in one process, with its own injected
 * IndexedDB factory: the channel is named per factory, so only tabs of one device hear it.
 */
const factoryTokens = new WeakMap<object, string>();
let nextToken = 0;
function channelName(database: string, factory: object | undefined): string {
  if (!factory) return `pamoja-stored:${database}`;
  let token = factoryTokens.get(factory);
  if (token === undefined) {
    token = String((nextToken += 1));
    factoryTokens.set(factory, token);
  }
  return `pamoja-stored:${database}:${token}`;
}

export function createStoredSignal(database: string, factory?: object): StoredSignal {
  const Channel = (globalThis as { BroadcastChannel?: new (name: string) => ChannelLike })
    .BroadcastChannel;
  const listeners = new Set<StoredListener>();
  const removalListeners = new Set<(docId: DocId) => void>();
  let channel: ChannelLike | undefined;
  const open = (): ChannelLike | undefined => {
    if (channel || !Channel) return channel;
    channel = new Channel(channelName(database, factory));
    // A channel must not keep a Node process (a test run, a relay) alive on its own.
    channel.unref?.();
    channel.onmessage = (event) => {
      const data = event.data as
        { docId?: unknown; update?: unknown; changes?: unknown; removed?: unknown }[] | undefined;
      if (!Array.isArray(data)) return;
      for (const { docId, update, changes, removed } of data) {
        if (removed === true && isDocId(docId)) {
          for (const listener of removalListeners) {
            try {
              listener(docId);
            } catch (error) {
              console.error('Removal listener failed', error);
            }
          }
          continue;
        }
        // A removal has no update: a tab of an older build skips it here.
        if (!isDocId(docId) || !(update instanceof Uint8Array)) continue;
        const received = receivedChanges(changes);
        for (const listener of listeners) {
          try {
            listener(docId, update, received);
          } catch (error) {
            console.error('Stored-update listener failed', error);
          }
        }
      }
    };
    return channel;
  };
  return {
    post(writes) {
      if (writes.length === 0) return;
      try {
        open()?.postMessage(
          writes.map(({ docId, update, changes }) => ({
            docId,
            update: update.slice(),
            changes: (changes ?? []).map(({ id, bytes, reach }) => ({
              id,
              bytes: bytes.slice(),
              reach: reach.slice(),
            })),
          })),
        );
      } catch (error) {
        // Other tabs then catch up when they next read the document from storage.
        console.warn('Could not tell other tabs about a stored update', error);
      }
    },
    listen(listener) {
      listeners.add(listener);
      open();
      return () => listeners.delete(listener);
    },
    postRemovals(docIds) {
      if (docIds.length === 0) return;
      try {
        open()?.postMessage(docIds.map((docId) => ({ docId, removed: true })));
      } catch (error) {
        // Other tabs then show the record as held until their next start (0022).
        console.warn('Could not tell other tabs about a removal', error);
      }
    },
    listenRemovals(listener) {
      removalListeners.add(listener);
      open();
      return () => removalListeners.delete(listener);
    },
    close() {
      channel?.close();
      channel = undefined;
      listeners.clear();
      removalListeners.clear();
    },
  };
}

/**
 * The changes of one signalled write. A message from a tab still running an older build has
 * none; a malformed entry is skipped rather than handed on (the receiver verifies what it keeps).
 */
function receivedChanges(changes: unknown): StoredChange[] {
  if (!Array.isArray(changes)) return [];
  return (changes as unknown[]).filter((change): change is StoredChange => {
    const { id, bytes, reach } = (change ?? {}) as Partial<StoredChange>;
    return typeof id === 'string' && bytes instanceof Uint8Array && reach instanceof Uint8Array;
  });
}
