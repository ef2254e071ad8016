import { describe, expect, it } from 'vitest';
import type { DocId } from '../../../src/crdt/doc-id';
import { batchChanges } from '../../../src/sync/change-batches';
import { encodeMessage } from '../../../src/sync/codec';

const docId = 'patient:01020001010001' as DocId;
const change = (size: number, fill: number) => new Uint8Array(size).fill(fill);

describe('change batches (SC22)', () => {
  it('SC22 splits a catch-up into messages within the bound, in order, the last one its sync-step2', () => {
    const changes = Array.from({ length: 40 }, (_, i) => change(100 + i * 37, i));
    const bound = 1_000;
    const messages = batchChanges('sync-step2', docId, changes, bound);
    expect(messages.length).toBeGreaterThan(5);
    expect(messages.slice(0, -1).every((m) => m.kind === 'update')).toBe(true);
    expect(messages.at(-1)?.kind).toBe('sync-step2');
    const carried = messages.flatMap((m) => ('changes' in m ? m.changes : []));
    expect(carried).toEqual(changes);
    for (const message of messages) {
      const size = encodeMessage(message).length;
      const many = 'changes' in message && message.changes.length > 1;
      // A message of several changes fits the bound (plus its few header bytes).
      if (many) expect(size).toBeLessThanOrEqual(bound + 64);
    }
  });

  it('SC22 a change larger than the bound goes alone; no changes is one empty sync-step2', () => {
    const big = change(5_000, 1);
    const messages = batchChanges('sync-step2', docId, [change(10, 2), big, change(10, 3)], 1_000);
    expect(messages.map((m) => ('changes' in m ? m.changes.length : -1))).toEqual([1, 1, 1]);
    expect(batchChanges('sync-step2', docId, [], 1_000)).toEqual([
      { kind: 'sync-step2', docId, changes: [] },
    ]);
    expect(batchChanges('update', docId, [change(10, 1)], 1_000)).toEqual([
      { kind: 'update', docId, changes: [change(10, 1)] },
    ]);
  });
});
