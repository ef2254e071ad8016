/**
 * The two ways a change travels (ChangeFormat): bare Yjs updates, for engines that do not sign
 * (tests, tools), and signed envelopes, for the app (SC2). A peer of one kind cannot feed the
 * other: a bare update is not an envelope, and an envelope is not a Yjs update.
 */
import { decodeSignedChange } from '../crdt/trust/signed-change';
import { err, ok } from '../lib/result';
import type { ChangeFormat } from './ports';

export const plainChanges: ChangeFormat = { read: (change) => ok({ update: change }) };

export const signedChanges: ChangeFormat = {
  read(change) {
    const decoded = decodeSignedChange(change);
    if (!decoded.ok) return err(decoded.error.detail);
    return ok({ update: decoded.value.update, author: decoded.value.author });
  },
};
