/**
 * Walking name-ordered runs of slots (search-keys.ts) in rank order: a cursor per run; a merge
 * of a few runs (an ID prefix and a phone, a word and its other spellings) that yields each
 * slot once; a join of several (the rows every query word matches), which leaps each run to
 * the others' head by binary search instead of reading what lies between; and `take`, which
 * stops at the limit. Every slot read counts as a visit.
 */
import type { NameRun, VisitCounter } from './search-keys';

type ByName = (a: number, b: number) => number;

export interface Cursor {
  /** The next slot, or -1 when the run is done. */
  head(): number;
  /** Moves past the head. */
  next(): void;
  /** Moves to the first slot not before `slot` in name order. */
  seek(slot: number): void;
}

class RunCursor implements Cursor {
  private at: number;

  constructor(
    private readonly run: NameRun,
    private readonly byName: ByName,
    private readonly counter: VisitCounter,
  ) {
    this.at = run.from;
    if (this.at < run.to) counter.visits += 1;
  }

  head(): number {
    return this.at < this.run.to ? (this.run.list[this.at] as number) : -1;
  }

  next(): void {
    if (this.at >= this.run.to) return;
    this.at += 1;
    if (this.at < this.run.to) this.counter.visits += 1;
  }

  /** Gallops, then halves: a target a few entries on (joined runs interleave) costs a few. */
  seek(slot: number): void {
    const { list, to } = this.run;
    if (this.at >= to || this.byName(list[this.at] as number, slot) >= 0) return;
    let lo = this.at + 1;
    let step = 1;
    while (lo + step < to && this.byName(list[lo + step - 1] as number, slot) < 0) {
      lo += step;
      step *= 2;
    }
    let hi = Math.min(to, lo + step);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.byName(list[mid] as number, slot) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.at = lo;
    if (lo < to) this.counter.visits += 1;
  }
}

/** The union of a few cursors in name order; a slot in several runs comes out once. */
class MergeCursor implements Cursor {
  /** The smallest head, found again only after a move. */
  private best: number | undefined;

  constructor(
    private readonly cursors: readonly Cursor[],
    private readonly byName: ByName,
  ) {}

  head(): number {
    if (this.best !== undefined) return this.best;
    let best = -1;
    for (const cursor of this.cursors) {
      const slot = cursor.head();
      if (slot >= 0 && (best < 0 || this.byName(slot, best) < 0)) best = slot;
    }
    this.best = best;
    return best;
  }

  next(): void {
    const best = this.head();
    if (best < 0) return;
    for (const cursor of this.cursors) if (cursor.head() === best) cursor.next();
    this.best = undefined;
  }

  seek(slot: number): void {
    for (const cursor of this.cursors) cursor.seek(slot);
    this.best = undefined;
  }
}

/** The intersection of cursors in name order: the slots every one of them has. */
class JoinCursor implements Cursor {
  private current = -1;

  constructor(
    private readonly cursors: readonly Cursor[],
    private readonly byName: ByName,
  ) {
    this.align();
  }

  /** Leaps every cursor to the latest head until all agree (or one is done). */
  private align(): void {
    this.current = -1;
    for (;;) {
      let latest = -1;
      for (const cursor of this.cursors) {
        const slot = cursor.head();
        if (slot < 0) return;
        if (latest < 0 || this.byName(slot, latest) > 0) latest = slot;
      }
      let agreed = true;
      for (const cursor of this.cursors) {
        cursor.seek(latest);
        if (cursor.head() !== latest) agreed = false;
      }
      if (agreed) {
        this.current = latest;
        return;
      }
    }
  }

  head(): number {
    return this.current;
  }

  next(): void {
    if (this.current < 0) return;
    (this.cursors[0] as Cursor).next();
    this.align();
  }

  seek(slot: number): void {
    if (this.current < 0 || this.byName(this.current, slot) >= 0) return;
    (this.cursors[0] as Cursor).seek(slot);
    this.align();
  }
}

const NONE: Cursor = { head: () => -1, next: () => undefined, seek: () => undefined };

/** The union of runs. */
export function cursorOf(runs: readonly NameRun[], byName: ByName, counter: VisitCounter): Cursor {
  const cursors = runs
    .filter((run) => run.to > run.from)
    .map((run) => new RunCursor(run, byName, counter));
  if (cursors.length === 0) return NONE;
  return cursors.length === 1 ? (cursors[0] as Cursor) : new MergeCursor(cursors, byName);
}

/** The union of cursors in name order (the same rank tier of several facilities). */
export function mergeOf(cursors: readonly Cursor[], byName: ByName): Cursor {
  const live = cursors.filter((cursor) => cursor.head() >= 0);
  if (live.length === 0) return NONE;
  return live.length === 1 ? (live[0] as Cursor) : new MergeCursor(live, byName);
}

/** The intersection of cursors. */
export function joinOf(cursors: readonly Cursor[], byName: ByName): Cursor {
  return cursors.length === 1 ? (cursors[0] as Cursor) : new JoinCursor(cursors, byName);
}

/** Moves the cursor's slots that `skip` does not reject into `into` until it holds `limit`. */
export function take(
  cursor: Cursor,
  limit: number,
  into: number[],
  skip?: (slot: number) => boolean,
): void {
  while (into.length < limit) {
    const slot = cursor.head();
    if (slot < 0) return;
    cursor.next();
    if (!skip || !skip(slot)) into.push(slot);
  }
}
