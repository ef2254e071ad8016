/**
 * Issue 9 point 4: a peer's update is decoded once for the session's well-formedness check (E3)
 * and the repository's duplicate test (D12), not once for each.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { holdsNothingNew } from '../../../src/crdt/change-capture';
import { decodeCounts } from '../../../src/crdt/decoded-updates';
import { validateUpdate } from '../../../src/sync/validate-update';

describe('decoded updates', () => {
  it('the duplicate test reuses the decode of the validated bytes', () => {
    const author = new Y.Doc();
    author.getMap('meta').set('note', 'visit');
    const update = Y.encodeStateAsUpdate(author);
    const before = decodeCounts();
    const valid = validateUpdate(update);
    if (!valid.ok) throw new Error(valid.error);
    const receiver = new Y.Doc();
    expect(holdsNothingNew(receiver, valid.value)).toBe(false);
    Y.applyUpdate(receiver, valid.value);
    expect(holdsNothingNew(receiver, valid.value)).toBe(true);
    const after = decodeCounts();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(2);
  });
});
