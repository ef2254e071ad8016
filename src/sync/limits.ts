/** Wire constants and bounds (docs/protocol.md §1, §5, §8). Changing one is a protocol change. */

/**
 * F1: 2 since the hello carries clock and receive window and the credit message exists (§16);
 * 3 since peers authenticate with the auth message before the hello (auth.md); 4 since documents
 * travel as lists of changes, each signed by its author and sent unchanged (SC14).
 */
export const PROTOCOL_VERSION = 4;

/** A24: largest enrolment (an invite redemption) a newcomer may present. */
export const MAX_ENROLMENT_BYTES = 4 * 1024;
/** A25: largest membership history sent to a newcomer (thousands of devices' operations). */
export const MAX_MEMBERSHIP_BYTES = 4 * 1024 * 1024;

/** F3: no frame exceeds this, because some browsers silently drop larger data-channel messages. */
export const MAX_FRAME_BYTES = 16 * 1024;

/** F7: room for the chunk header (version, kind, three varuints of at most 5 bytes each). */
export const CHUNK_PAYLOAD_BYTES = MAX_FRAME_BYTES - 32;

/** R4/R5: reconciliation splits a mismatching range this many ways ... */
export const RECONCILE_BRANCHING = 16;
/** ... unless it holds at most this many items, then it lists them. */
export const RECONCILE_LIST_THRESHOLD = 32;

/** Bytes of a range fingerprint and of an item digest in an id list. */
export const FINGERPRINT_BYTES = 16;
export const ITEM_DIGEST_BYTES = 8;

export interface SyncLimits {
  /** F8: largest reassembled message. */
  maxMessageBytes: number;
  /** F8: chunked messages being reassembled at once per session. */
  maxPendingAssemblies: number;
  /** F8: bytes and messages being reassembled at once over all sessions of the engine. */
  maxAssemblyBytes: number;
  maxAssemblies: number;
  /** F8: an unfinished chunked message that gets no chunk for this long is dropped. */
  assemblyTimeoutMs: number;
  /** H2: doc ids in one hello or interest message (extras travel in batches, no total cap). */
  maxIdsPerMessage: number;
  /** FC1: the receive window this engine grants each peer: messages and bytes in flight. */
  windowMessages: number;
  windowBytes: number;
  /** FC9: sync-step1 asks outstanding to one peer at a time. */
  maxOutstandingAsks: number;
  /** FC10: diffs read from the host ahead of their turn to be sent (Infinity: all at once). */
  diffReadAhead: number;
  /** SC22: bytes of changes in one sync-step2 or update message; more go in several. */
  changeBatchBytes: number;
  /** R8: ranges in one reconcile message, and reconcile messages per session. */
  maxRanges: number;
  maxReconcileRounds: number;
  /** Q3: document requests a peer may make: burst and sustained rate. */
  requestBurst: number;
  requestsPerSecond: number;
  /** S6: a peer that has not said hello by then is dropped. */
  handshakeTimeoutMs: number;
  /** Q1: default time `request()` waits for a holder. */
  requestTimeoutMs: number;
}

export const defaultLimits: SyncLimits = {
  maxMessageBytes: 32 * 1024 * 1024,
  maxPendingAssemblies: 4,
  maxAssemblyBytes: 64 * 1024 * 1024,
  maxAssemblies: 16,
  assemblyTimeoutMs: 30_000,
  maxIdsPerMessage: 4_096,
  windowMessages: 128,
  windowBytes: 1024 * 1024,
  maxOutstandingAsks: 32,
  diffReadAhead: 32,
  changeBatchBytes: 256 * 1024,
  maxRanges: 4_096,
  maxReconcileRounds: 64,
  requestBurst: 256,
  requestsPerSecond: 32,
  handshakeTimeoutMs: 15_000,
  requestTimeoutMs: 10_000,
};
