/**
 * R4–R7: range-based set reconciliation (in the style of Negentropy) over the documents both
 * sides want. Pure: given our sorted items and the peer's ranges, it returns our answer and the
 * documents found to differ. The session turns differences into Yjs sync messages.
 */
import type { DocId } from '../crdt/doc-id';
import type { RangeMode, WireRange } from './codec';
import { bytesEqual, xorInto } from './digest';
import {
  FINGERPRINT_BYTES,
  ITEM_DIGEST_BYTES,
  RECONCILE_BRANCHING,
  RECONCILE_LIST_THRESHOLD,
} from './limits';

export interface Item {
  docId: DocId;
  /** 16-byte item hash (digest.ts `itemHash`). */
  hash: Uint8Array;
}

/** Items sorted by doc id, with range look-ups by bound. */
export class ItemSet {
  private readonly items: readonly Item[];

  constructor(items: Iterable<Item>) {
    this.items = [...items].sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
  }

  get size(): number {
    return this.items.length;
  }

  /** Index of the first item whose id is >= bound (`null` bound = end of space). */
  lowerIndex(bound: string | null): number {
    if (bound === null) return this.items.length;
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.items[mid] as Item).docId < bound) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  at(index: number): Item {
    return this.items[index] as Item;
  }

  fingerprint(start: number, end: number): Uint8Array {
    const fp = new Uint8Array(FINGERPRINT_BYTES);
    for (let i = start; i < end; i++) xorInto(fp, this.at(i).hash);
    return fp;
  }
}

export interface ReconcileOutcome {
  /** Our answer; all skips means this side has nothing more to ask (R6). */
  response: WireRange[];
  /** The peer holds these and we do not. */
  needed: DocId[];
  /** We hold these and the peer does not. */
  offered: DocId[];
  /** Both hold these, with different digests. */
  differing: DocId[];
}

/** R4: the opening message: one fingerprint over the whole space. */
export function openingRanges(set: ItemSet): WireRange[] {
  return [
    {
      upper: null,
      mode: { type: 'fingerprint', count: set.size, fingerprint: set.fingerprint(0, set.size) },
    },
  ];
}

export function isAllSkip(ranges: readonly WireRange[]): boolean {
  return ranges.every((range) => range.mode.type === 'skip');
}

/** The shortest prefix of `next` that sorts after `previous` (both ids, previous < next). */
function separator(previous: string, next: string): string {
  let i = 0;
  while (i < previous.length && previous.charCodeAt(i) === next.charCodeAt(i)) i++;
  return next.slice(0, i + 1);
}

function listOf(set: ItemSet, start: number, end: number): RangeMode {
  const items = [];
  for (let i = start; i < end; i++) {
    const item = set.at(i);
    items.push({ docId: item.docId, digest: item.hash.subarray(0, ITEM_DIGEST_BYTES) });
  }
  return { type: 'list', items };
}

export function respond(set: ItemSet, ranges: readonly WireRange[]): ReconcileOutcome {
  const outcome: ReconcileOutcome = { response: [], needed: [], offered: [], differing: [] };
  const push = (upper: string | null, mode: RangeMode): void => {
    const last = outcome.response[outcome.response.length - 1];
    // Adjacent skips merge, so an idle session answers with a single range.
    if (mode.type === 'skip' && last?.mode.type === 'skip') last.upper = upper;
    else outcome.response.push({ upper, mode });
  };
  let lower = '';
  for (const range of ranges) {
    const start = set.lowerIndex(lower);
    const end = set.lowerIndex(range.upper);
    const mode = range.mode;
    if (mode.type === 'skip') {
      push(range.upper, mode);
    } else if (mode.type === 'fingerprint') {
      const count = end - start;
      if (count === mode.count && bytesEqual(set.fingerprint(start, end), mode.fingerprint)) {
        push(range.upper, { type: 'skip' });
      } else if (count <= RECONCILE_LIST_THRESHOLD) {
        push(range.upper, listOf(set, start, end));
      } else {
        splitRange(set, start, end, range.upper, push);
      }
    } else {
      compareLists(set, start, end, mode.items, outcome);
      push(range.upper, { type: 'skip' });
    }
    if (range.upper !== null) lower = range.upper;
  }
  return outcome;
}

/** R5: a mismatching range with many items splits into equal-count sub-ranges. */
function splitRange(
  set: ItemSet,
  start: number,
  end: number,
  upper: string | null,
  push: (upper: string | null, mode: RangeMode) => void,
): void {
  const n = end - start;
  for (let b = 0; b < RECONCILE_BRANCHING; b++) {
    const from = start + Math.floor((b * n) / RECONCILE_BRANCHING);
    const to = start + Math.floor(((b + 1) * n) / RECONCILE_BRANCHING);
    const bound =
      b === RECONCILE_BRANCHING - 1 ? upper : separator(set.at(to - 1).docId, set.at(to).docId);
    push(bound, { type: 'fingerprint', count: to - from, fingerprint: set.fingerprint(from, to) });
  }
}

/** R6: the peer listed all of its items in a range; every difference is now known. */
function compareLists(
  set: ItemSet,
  start: number,
  end: number,
  theirs: readonly { docId: DocId; digest: Uint8Array }[],
  outcome: ReconcileOutcome,
): void {
  let i = start;
  let j = 0;
  while (i < end || j < theirs.length) {
    const ours = i < end ? set.at(i) : undefined;
    const their = theirs[j];
    if (ours && (!their || ours.docId < their.docId)) {
      outcome.offered.push(ours.docId);
      i++;
    } else if (their && (!ours || their.docId < ours.docId)) {
      outcome.needed.push(their.docId);
      j++;
    } else if (ours && their) {
      if (!bytesEqual(ours.hash.subarray(0, ITEM_DIGEST_BYTES), their.digest)) {
        outcome.differing.push(ours.docId);
      }
      i++;
      j++;
    }
  }
}
