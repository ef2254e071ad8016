import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DocId } from '../../../src/crdt/doc-id';
import { decodeMessage, encodeMessage } from '../../../src/sync/codec';
import { itemHash } from '../../../src/sync/digest';
import { defaultLimits } from '../../../src/sync/limits';
import { ItemSet, isAllSkip, openingRanges, respond, type Item } from '../../../src/sync/reconcile';

const sv = (pairs: [number, number][]): Uint8Array => {
  const bytes: number[] = [pairs.length];
  for (const [client, clock] of pairs) bytes.push(client, clock);
  return new Uint8Array(bytes);
};

describe('digests', () => {
  it('R1 a digest depends on the state vector content, not the order of its clients', () => {
    const id = 'patient:01020001000001' as DocId;
    expect(
      itemHash(
        id,
        sv([
          [1, 5],
          [2, 7],
        ]),
      ),
    ).toEqual(
      itemHash(
        id,
        sv([
          [2, 7],
          [1, 5],
        ]),
      ),
    );
    expect(
      itemHash(
        id,
        sv([
          [1, 5],
          [2, 7],
        ]),
      ),
    ).not.toEqual(
      itemHash(
        id,
        sv([
          [1, 5],
          [2, 8],
        ]),
      ),
    );
    expect(itemHash(id, sv([[1, 5]]))).not.toEqual(itemHash('network' as DocId, sv([[1, 5]])));
  });
});

/** Runs reconciliation between two item sets through the real codec; returns the differences. */
function reconcile(ours: Item[], theirs: Item[]) {
  const sets = [new ItemSet(ours), new ItemSet(theirs)] as const;
  const found = new Set<string>();
  let ranges = openingRanges(sets[0]);
  let bytes = 0;
  let rounds = 0;
  for (let side = 1; rounds < 20; side = 1 - side, rounds++) {
    const encoded = encodeMessage({ kind: 'reconcile', ranges });
    bytes += encoded.length;
    const decoded = decodeMessage(encoded, defaultLimits);
    if (!decoded.ok || decoded.value.kind !== 'reconcile') throw new Error('codec failed');
    const out = respond(sets[side] as ItemSet, decoded.value.ranges);
    for (const d of [...out.needed, ...out.offered, ...out.differing]) found.add(d);
    if (isAllSkip(decoded.value.ranges)) break;
    ranges = out.response;
  }
  return { found, bytes, rounds };
}

const universe: Item[] = Array.from({ length: 5_000 }, (_, i) => {
  const docId =
    `patient:0102${String(1 + (i % 7)).padStart(4, '0')}${String(i).padStart(6, '0')}` as DocId;
  return { docId, hash: itemHash(docId, sv([[1, 1]])) };
});
const items = (n: number): Item[] => universe.slice(0, n);

describe('range reconciliation', () => {
  it('R4 identical sets settle in one exchange', () => {
    const set = items(5_000);
    const { found, rounds, bytes } = reconcile(set, set);
    expect(found.size).toBe(0);
    expect(rounds).toBe(1);
    expect(bytes).toBeLessThan(64);
  });

  it('R5/R6 finds exactly the documents that differ, are missing, or are extra (property, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_500 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (n, changedRaw, onlyOursRaw, onlyTheirsRaw) => {
          const base = items(n + 30);
          const ours = base.slice(0, n);
          const theirs = ours.map((item) => ({ ...item }));
          const expected = new Set<string>();
          for (const c of changedRaw) {
            if (n === 0) break;
            const i = c % n;
            theirs[i] = {
              docId: ours[i]!.docId,
              hash: itemHash(ours[i]!.docId, sv([[9, (c % 100) + 2]])),
            };
            expected.add(ours[i]!.docId);
          }
          const extra = base.slice(n);
          for (const r of onlyOursRaw) {
            const item = extra[r % 15]!;
            if (!ours.includes(item)) ours.push(item);
            expected.add(item.docId);
          }
          for (const r of onlyTheirsRaw) {
            const item = extra[15 + (r % 15)]!;
            if (!theirs.some((t) => t.docId === item.docId)) theirs.push(item);
            expected.add(item.docId);
          }
          expect(reconcile(ours, theirs).found).toEqual(expected);
        },
      ),
      { seed: 77, numRuns: 80 },
    );
  });
});
