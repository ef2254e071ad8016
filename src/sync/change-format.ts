/**
 * The two ways a change travels (ChangeFormat): bare Yjs updates, for engines that do not sign
 * (tests, tools), and signed envelopes, for the app (SC2). A peer of one kind cannot feed the
 * other: a bare update is not an envelope, and an envelope is not a Yjs update.
 */
import { decodeSignedChange } from '../crdt/trust/signed-change';
import { err, ok } from '../lib/result';
import type { ChangeFormat } from './ports';

export const plainChanges: ChangeFormat = { updateOf: (change) => ok(change) };

export const signedChanges: ChangeFormat = {
  updateOf(change) {
    const decoded = decodeSignedChange(change);
    return decoded.ok ? ok(decoded.value.update) : err(decoded.error.detail);
  },
  authorOf(change) {
    const decoded = decodeSignedChange(change);
    return decoded.ok ? decoded.value.author : undefined;
  },
};
