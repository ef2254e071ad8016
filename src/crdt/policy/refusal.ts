/**
 * What the update policy (docs/protocol.md §15) says about an update from a peer, as plain data.
 * A refused update is dropped whole: nothing of it is stored, applied or forwarded, and the
 * session that carried it goes on.
 */
import type * as Y from 'yjs';
import type { Result } from '../../lib/result';
import type { DocId } from '../doc-id';
import type { StoredChange } from '../ports';

export const RefusalReason = {
  /** A top-level type or key the document kind does not have. */
  unknownKey: 'unknown-key',
  /** A delete of an entry, of `meta`, or of a map key (a cleared field is set to null). */
  deletion: 'deletion',
  /** A write-once value (meta, a network record) overwritten with something else. */
  overwrite: 'overwrite',
  /** A new entry or summary that fails the entry rules at receive time. */
  invalidEntry: 'invalid-entry',
  /** RP3, RP4: a month of a report document that is not counts only, or whose counts do not add up. */
  reportFigures: 'report-figures',
  /** A register summary of a patient another facility registered. */
  foreignSummary: 'foreign-summary',
  /** A record or summary of a CTC ID this device's serial block has not issued yet. */
  unissuedId: 'unissued-id',
  /** A register or record of a facility the network does not list (may be accepted later). */
  unknownFacility: 'unknown-facility',
  /** A change to the network's shared settings (only an admin may, once trust lands). */
  settings: 'settings',
  /** Over a size or item-count budget (per update, per document or per session). */
  budget: 'budget',
  /** A21: a change sent by a device whose role writes nothing (a supervisor). */
  readOnlyRole: 'read-only-role',
  /** MS2–MS5: a membership op that does not decode to its key, verify, or name this network. */
  membership: 'membership',
  /** A struct whose parent is neither in the document nor in the update. */
  unresolvable: 'unresolvable',
  /** SC6: a change that came without its author's signed envelope. */
  unsigned: 'unsigned',
  /** SC7, SC8: a signature that does not verify over the change with its author's key. */
  badSignature: 'bad-signature',
  /** SC9: a change by a device the membership does not list (may be admitted later). */
  unknownAuthor: 'unknown-author',
  /** SC10: structs under a Yjs client id that is not its signer's. */
  foreignClient: 'foreign-client',
  /** SC3: an envelope that does not decode, or names another document. */
  malformedChange: 'malformed-change',
  /** WR1–WR26: the signer's role may not write this (the detail names the row). */
  writeRule: 'write-rule',
} as const;

export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

export interface UpdateRefusal {
  reason: RefusalReason;
  detail: string;
}

/** What became of a remote update. */
export type RemoteOutcome =
  | { type: 'applied' }
  /** It held nothing this device did not have. */
  | { type: 'unchanged' }
  | { type: 'refused'; refusal: UpdateRefusal };

/**
 * Checks an update from a peer against the live document, before anything is stored. Runs inside
 * the repository's per-document lock, so the document does not change while it looks.
 */
export interface RemoteUpdateCheck {
  (
    docId: DocId,
    live: Y.Doc,
    update: Uint8Array,
    /** SC6: the signed change the update came in, when the peer sent one. */
    change?: StoredChange,
  ): Result<void, UpdateRefusal> | Promise<Result<void, UpdateRefusal>>;
  /** SC23: a batch is about to be checked, in order; work that does not depend on order may start. */
  prepare?(changes: readonly (StoredChange | undefined)[]): void;
}
