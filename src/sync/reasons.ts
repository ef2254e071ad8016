/**
 * Why a session was closed (docs/protocol.md §9). Sent to the peer in a `close` message when
 * possible, logged, and shown in sync status.
 */
export const CloseReason = {
  /** E1: a frame could not be decoded (bad kind, length, trailing bytes, bad UTF-8). */
  malformedFrame: 'malformed-frame',
  /** E1: a frame with a protocol version this engine does not speak. */
  unsupportedVersion: 'unsupported-version',
  /** E1: a frame above 16 KiB, or a reassembled message above the bound. */
  tooLarge: 'too-large',
  /** E2: a message that is not allowed in the session's state (e.g. data before hello). */
  unexpectedMessage: 'unexpected-message',
  /** E1: a document id that is not `network`, `register:<8 digits>` or `patient:<14 digits>`. */
  invalidDocId: 'invalid-doc-id',
  /** E3: a Yjs update or state vector that does not decode, or that the host refused. */
  invalidUpdate: 'invalid-update',
  /** E4: data for a document this device neither wants nor asked for. */
  unwantedDoc: 'unwanted-doc',
  /** E4: the peer listed a document as held, then said it does not hold it. */
  holdingsMismatch: 'holdings-mismatch',
  /** E5: too many requests, ranges, reconcile rounds or declared extras. */
  flood: 'flood',
  /** S5: this engine connected to itself. */
  selfConnection: 'self-connection',
  /** S7: a newer connection to the same peer replaced this one. */
  replaced: 'replaced',
  /** S6: no hello in time. */
  handshakeTimeout: 'handshake-timeout',
  /** E7: a host call failed (e.g. storage unavailable); only this session ends. */
  hostError: 'host-error',
  /** The local engine stopped. */
  stopped: 'stopped',
  /** The transport closed the channel (link lost, peer left). */
  transportClosed: 'transport-closed',
  /** The peer closed the session and said why (its reason is logged alongside). */
  peerClosed: 'peer-closed',
} as const;

export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

const known = new Set<string>(Object.values(CloseReason));

export function isCloseReason(value: unknown): value is CloseReason {
  return typeof value === 'string' && known.has(value);
}
