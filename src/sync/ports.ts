/**
 * The ports of the replication engine. The engine owns neither storage nor network: it is given
 * a `ReplicaHost` (documents) and a `Transport` (peers). Both must work in the browser and in
 * Node, so nothing here names a DOM or Node type.
 */
import type { DocId } from '../crdt/doc-id';
import type { RemoteOutcome } from '../crdt/policy/refusal';
import type { Brand } from '../lib/brand';
import type { Result } from '../lib/result';

/** A transport-level peer address: stable for a connection, not necessarily across connections. */
export type PeerId = Brand<string, 'PeerId'>;

/**
 * One reliable, ordered, message-oriented connection to one peer (like a WebRTC reliable data
 * channel). Each message is one frame of at most 16 KiB.
 */
export interface Channel {
  /** Queues a frame. Sending on a closed channel does nothing (it must not throw). */
  send(frame: Uint8Array): void;
  /** Closes both ends; the peer's `onClose` listeners receive `reason`. Idempotent. */
  close(reason: string): void;
  onMessage(listener: (frame: Uint8Array) => void): () => void;
  /** Fires once, for a local or a remote close. A listener added after the close fires at once. */
  onClose(listener: (reason: string) => void): () => void;
  /**
   * Flow control: resolves once the channel's send queue is below its low-water mark, so a
   * sender that awaits it before each frame never grows the queue without bound. Resolves at
   * once on a transport with no queue of its own, and when the channel is closed.
   */
  writable(): Promise<void>;
  /**
   * A7 (auth): bytes both ends of this one connection compute alike and that a relaying party
   * cannot make equal on its two legs (for WebRTC, a hash of both DTLS fingerprints). Peer
   * authentication signs over it, so a proof is good for this connection only.
   */
  readonly binding?: Uint8Array;
  /**
   * A23: the engine tells the transport that the peer proved it holds this device's key. A
   * transport that keeps one connection per device retires the device's older connections only
   * then, so a peer merely claiming another device's id cannot push that device off. Optional.
   */
  authenticated?(deviceId: string): void;
}

/**
 * Announces connections to peers. A listener registered late is told about the channels that are
 * open at that moment, so wiring order does not matter.
 */
export interface Transport {
  onPeerConnected(listener: (peer: PeerId, channel: Channel) => void): () => void;
}

/**
 * What the engine needs from the device's documents. The app implements it over its persisted
 * repository; `createMemoryHost` implements it over plain Y.Docs.
 */
/** How a host applies one message of changes. */
export interface ApplyOptions {
  /**
   * SL2: asked between changes; a promise means the task has run its slice and the host waits
   * for it before the next change (the main thread stays responsive through a large message).
   */
  pause?: () => Promise<void> | undefined;
}

export interface ReplicaHost {
  /** Doc ids this device holds now. Changes are signalled by `onHoldingsChanged`. */
  holdings(): ReadonlySet<DocId>;
  /** A relay holds and wants every document. */
  isRelay(): boolean;
  stateVector(docId: DocId): Promise<Uint8Array>;
  /**
   * SC15: the changes this device has that a peer with `remoteStateVector` lacks, each as it is
   * sent (a signed envelope, unchanged; or one plain Yjs diff on a host that does not sign).
   */
  changesSince(docId: DocId, remoteStateVector: Uint8Array): Promise<Uint8Array[]>;
  /**
   * Persists then applies changes from a peer, in order; resolves once durable with one outcome
   * per change, rejects if one is invalid (then nothing of the batch is stored). A change the
   * update policy refuses is `refused`: nothing of it is stored, the others go on, and so does
   * the session. A doc that was not held becomes held.
   */
  applyRemoteChanges(
    docId: DocId,
    changes: readonly IncomingChange[],
    from: PeerId,
    options?: ApplyOptions,
  ): Promise<RemoteOutcome[]>;
  /**
   * SC23: changes have arrived and wait their turn to be applied; work that does not depend on
   * order (verifying signatures) may start now. Optional; must not throw.
   */
  prepareChanges?(docId: DocId, changes: readonly IncomingChange[]): void;
  /**
   * Changes to held docs, local or remote, so the engine can forward them (each as it is sent,
   * SC14). `origin` names the peer a remote change came from, so it is not echoed back.
   */
  onDocUpdate(
    listener: (docId: DocId, changes: readonly Uint8Array[], origin: PeerId | 'local') => void,
  ): () => void;
  /** Docs that became held (created locally, opened, or received). */
  onHoldingsChanged(listener: (added: readonly DocId[]) => void): () => void;
}

/** A change as received: its bytes as sent, and the Yjs update they carry (ChangeFormat). */
export interface IncomingChange {
  bytes: Uint8Array;
  update: Uint8Array;
}

/**
 * How a change on the wire carries its Yjs update: a signed envelope (the app, SC2) or the bare
 * update (engine tests). The session checks the update's budget and shape before the host sees
 * it; verifying the signature is the host's update policy's job, which knows the membership.
 */
export interface ChangeFormat {
  /** The change's Yjs update and, when the format says, the device that signed it. */
  read(change: Uint8Array): Result<{ update: Uint8Array; author?: string }, string>;
}

export type LogLevel = 'debug' | 'info' | 'warn';

/** Injected so tests can assert on what the engine reports and the app can route it. */
export interface SyncLogger {
  log(level: LogLevel, event: string, details: Readonly<Record<string, unknown>>): void;
}

export const silentLogger: SyncLogger = { log: () => undefined };

/** Injected timers so tests control timeouts. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
