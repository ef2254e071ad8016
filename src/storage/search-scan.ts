/**
 * The scan searches use while the indexes build (search-queries.ts): `scanAndRank`'s answer
 * (search.ts, the reference) without sorting every match. A bounded heap keeps the best
 * `limit` seen so far, so a one-letter query over a district costs one check per row and a
 * compare with the heap's worst, not a sort of thousands of matches (issue 9: the first
 * keystrokes after start are answered here).
 */
import type { SearchOptions } from '../crdt/ports';
import { clampLimit, compareRanked, rankTier, type ParsedQuery, type RankedRow } from './search';

interface Entry<T> {
  row: T;
  tier: number;
  key: string;
}

/** A max-heap on rank order: the root is the worst kept entry. */
function siftDown<T>(heap: Entry<T>[], from: number): void {
  let at = from;
  for (;;) {
    const left = at * 2 + 1;
    const right = left + 1;
    let worst = at;
    if (left < heap.length && compareRanked(heap[left]!, heap[worst]!) > 0) worst = left;
    if (right < heap.length && compareRanked(heap[right]!, heap[worst]!) > 0) worst = right;
    if (worst === at) return;
    [heap[at], heap[worst]] = [heap[worst]!, heap[at]!];
    at = worst;
  }
}

function siftUp<T>(heap: Entry<T>[], from: number): void {
  let at = from;
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (compareRanked(heap[at]!, heap[parent]!) <= 0) return;
    [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
    at = parent;
  }
}

export function scanTopK<T>(
  rows: Iterable<T>,
  parsed: ParsedQuery,
  matches: (row: T, parsed: ParsedQuery) => boolean,
  describe: (row: T) => RankedRow,
  limit: number,
  options: SearchOptions = {},
): T[] {
  const max = clampLimit(limit);
  if (max === 0) return [];
  const heap: Entry<T>[] = [];
  for (const row of rows) {
    if (!matches(row, parsed)) continue;
    const ranked = describe(row);
    const entry = { row, tier: rankTier(ranked, parsed, options), key: ranked.key };
    if (heap.length < max) {
      heap.push(entry);
      siftUp(heap, heap.length - 1);
    } else if (compareRanked(entry, heap[0]!) < 0) {
      heap[0] = entry;
      siftDown(heap, 0);
    }
  }
  return heap.sort(compareRanked).map((entry) => entry.row);
}
