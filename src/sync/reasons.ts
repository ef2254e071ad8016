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
  /** A16: auth is on but the transport gave the channel no binding to sign over. */
  authUnbound: 'auth-unbound',
  /** A4 (auth.md): an auth message that does not decode strictly. */
  authMalformed: 'auth-malformed',
  /** A3: an auth message out of order. */
  authUnexpected: 'auth-unexpected',
  /** A9: the peer's device is not enrolled in the network. */
  authUnenrolled: 'auth-unenrolled',
  /** A10, A22: the peer's device is revoked. */
  authRevoked: 'auth-revoked',
  /** A11: the peer's device id is enrolled with another key. */
  authKeyMismatch: 'auth-key-mismatch',
  /** A12: the peer's proof does not verify for this session. */
  authBadProof: 'auth-bad-proof',
  /** A8: the peer's challenge reuses a nonce. */
  authReplayed: 'auth-replayed',
  /** A13: the peer's enrolment has expired. */
  authExpired: 'auth-expired',
  /** A25: the newcomer's invite redemption was refused. */
  authBadInvite: 'auth-bad-invite',
  /** A26: the membership the peer sent does not verify back to the network's root. */
  authBadMembership: 'auth-bad-membership',
  /** A18–A19: the hello names another device, facility or role than the one that proved itself. */
  authIdentityMismatch: 'auth-identity-mismatch',
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
