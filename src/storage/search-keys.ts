/**
 * One kind of search key (name words, CTC IDs, phone suffixes) over the slots of one scope (one
 * facility's rows of a table), answering "the slots with a key starting with this
 * prefix, in name order" without touching every match (docs/decisions/0022-search-index.md):
 *
 * - `parts` (search-entries.ts): every (key, slot) pair, sorted by key and then by name, so a
 *   prefix is one range found by binary search (its size is the match count) and the slots of
 *   one exact key are already in name order;
 * - `lists`: for every prefix matching more than `threshold` entries, its slots in name order,
 *   kept through every insert and removal. Prefixes matching the same slots share one list
 *   ("mwaky", "mwakyu"… of one surname), split when a row comes that only some of them match.
 *   A narrower prefix is sorted from its range on the spot (at most `threshold` entries).
 */
import { Entries } from './search-entries';

/** Reads of entries and list slots, so tests can bound a query's work (no clock involved). */
export interface VisitCounter {
  visits: number;
}

/** A name-ordered run of distinct slots: `list[from…to)`. */
export interface NameRun {
  list: readonly number[];
  from: number;
  to: number;
}

export const EMPTY_RUN: NameRun = { list: [], from: 0, to: 0 };

export interface KeyIndexOptions {
  byName: (a: number, b: number) => number;
  /** A slot's keys, distinct (read again when it is removed: its fields are still stored). */
  keysOf: (slot: number) => readonly string[];
  /** Ranges of at most this many entries are sorted when asked; wider ones have lists. */
  threshold: number;
  /** Prefixes shorter than this are never asked for, so they get no list. */
  minPrefix: number;
  counter: VisitCounter;
}

export class KeyIndex {
  /** Entries by their key's first characters (`part`): a prefix query reads one part. */
  private readonly parts = new Map<string, Entries>();
  private readonly lists = new Map<string, number[]>();
  /** The prefixes sharing each list. */
  private readonly sharing = new Map<number[], string[]>();
  /** Build only: which slots a list being made has, by the number of the list. */
  private marks = new Int32Array(0);
  private mark = 0;

  constructor(private readonly options: KeyIndexOptions) {}

  /** The part a key, or a prefix long enough to be asked, is in. */
  private part(text: string, make = false): Entries | undefined {
    const name = text.slice(0, Math.min(this.options.minPrefix, 2));
    let part = this.parts.get(name);
    if (!part && make) {
      part = new Entries(this.options.byName);
      this.parts.set(name, part);
    }
    return part;
  }

  /** How many entries have a key starting with `prefix` (a slot may count more than once). */
  count(prefix: string): number {
    const [from, to] = this.part(prefix)?.range(prefix) ?? [0, 0];
    return to - from;
  }

  /** How many slots have exactly this key. */
  countExact(key: string): number {
    const [from, to] = this.part(key)?.exact(key) ?? [0, 0];
    return to - from;
  }

  /** The slots with exactly this key, in name order (a slot stores each key once). */
  exact(key: string): NameRun {
    const part = this.part(key);
    if (!part) return EMPTY_RUN;
    const [from, to] = part.exact(key);
    return { list: part.slots, from, to };
  }

  /** The slots with some key starting with `prefix`, in name order, each once. */
  prefixed(prefix: string): NameRun {
    let list = this.lists.get(prefix);
    if (!list) {
      const part = this.part(prefix);
      const [from, to] = part?.range(prefix) ?? [0, 0];
      if (!part || to === from) return EMPTY_RUN;
      this.options.counter.visits += to - from;
      list = part.distinct(from, to);
      // Kept from now on; inserts keep lists for every wide prefix, so this is a safety net.
      if (to - from > this.options.threshold) this.share(prefix, list);
    }
    return { list, from: 0, to: list.length };
  }

  private share(prefix: string, list: number[]): void {
    this.lists.set(prefix, list);
    const group = this.sharing.get(list);
    if (group) group.push(prefix);
    else this.sharing.set(list, [prefix]);
  }

  /** The prefixes (long enough to be asked) of a slot's keys. */
  private prefixesOf(keys: readonly string[]): Set<string> {
    const prefixes = new Set<string>();
    for (const key of keys) {
      for (let length = this.options.minPrefix; length <= key.length; length += 1) {
        prefixes.add(key.slice(0, length));
      }
    }
    return prefixes;
  }

  private nameBound(list: readonly number[], slot: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.options.byName(list[mid] as number, slot) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds a stored slot under its keys. */
  insert(slot: number): void {
    const keys = this.options.keysOf(slot);
    if (keys.length === 0) return;
    for (const key of keys) (this.part(key, true) as Entries).insert(key, slot);
    const prefixes = this.prefixesOf(keys);
    const done = new Set<number[]>();
    for (const prefix of prefixes) {
      let list = this.lists.get(prefix);
      if (!list) {
        // A prefix just past the threshold gets its list now, not on a later keystroke.
        const part = this.part(prefix) as Entries;
        const [from, to] = part.range(prefix);
        if (to - from > this.options.threshold) this.share(prefix, part.distinct(from, to));
        continue;
      }
      if (done.has(list)) continue;
      const group = this.sharing.get(list) as string[];
      const matched = group.filter((other) => prefixes.has(other));
      if (matched.length < group.length) {
        // Some prefixes sharing this list do not match the new row: they keep the old list.
        const copy = list.slice();
        this.sharing.set(
          list,
          group.filter((other) => !prefixes.has(other)),
        );
        this.sharing.set(copy, matched);
        for (const other of matched) this.lists.set(other, copy);
        list = copy;
      }
      done.add(list);
      list.splice(this.nameBound(list, slot), 0, slot);
    }
  }

  /** Removes a slot; its name and keys must still be the ones it was inserted with. */
  remove(slot: number): void {
    const keys = this.options.keysOf(slot);
    if (keys.length === 0) return;
    for (const key of keys) this.part(key)?.remove(key, slot);
    // Every prefix sharing a list matches the same rows, so the slot leaves each list once.
    const done = new Set<number[]>();
    for (const prefix of this.prefixesOf(keys)) {
      const list = this.lists.get(prefix);
      if (!list || done.has(list)) continue;
      done.add(list);
      const at = this.nameBound(list, slot);
      if (list[at] === slot) list.splice(at, 1);
    }
  }

  /**
   * Fills an empty index from the scope's slots, as steps: it yields between phases so a caller
   * can give the page its turn. `named` is the whole table in name order and `rank[slot]` a
   * slot's position in it (a scope's rows are a part of it). `byKey`, when given, is the scope's
   * slots already in key order with their one key each (CTC IDs, read in primary-key order).
   */
  *build(
    scope: readonly number[],
    named: readonly number[],
    rank: Int32Array,
    byKey?: { slots: readonly number[]; keyOf: (slot: number) => string },
  ): Generator<void, void, void> {
    const { keysOf } = this.options;
    if (byKey) {
      for (const slot of byKey.slots) {
        const key = byKey.keyOf(slot);
        (this.part(key, true) as Entries).push(key, slot);
      }
    } else {
      // Entries grouped by key in name order, then each part's keys sorted on its own (a
      // district has far fewer distinct words than rows; a held patient's phone suffixes are
      // distinct): small sorts, each a step of its own.
      const runs = new Map<string, number[]>();
      for (let i = 0; i < scope.length; i += 1) {
        const slot = scope[i] as number;
        for (const key of keysOf(slot)) {
          const run = runs.get(key);
          if (run) run.push(slot);
          else runs.set(key, [slot]);
        }
        if (i % 500 === 499) yield;
      }
      const keysOfPart = new Map<Entries, string[]>();
      for (const key of runs.keys()) {
        const part = this.part(key, true) as Entries;
        const keys = keysOfPart.get(part);
        if (keys) keys.push(key);
        else keysOfPart.set(part, [key]);
      }
      for (const [part, keys] of keysOfPart) {
        yield;
        for (const key of keys.sort()) {
          for (const slot of runs.get(key) as number[]) part.push(key, slot);
        }
      }
    }
    yield;
    if (this.marks.length < rank.length) this.marks = new Int32Array(rank.length);
    for (const part of this.parts.values()) {
      yield* this.listPrefixes(part, '', 0, part.length, undefined, named, rank);
    }
  }

  /** Lists for the prefixes under `prefix` (entries [from, to)) past the threshold. */
  private *listPrefixes(
    part: Entries,
    prefix: string,
    from: number,
    to: number,
    parent: { list: number[]; entries: number } | undefined,
    named: readonly number[],
    rank: Int32Array,
  ): Generator<void, void, void> {
    let own = parent;
    if (prefix.length >= this.options.minPrefix) {
      if (parent && parent.entries === to - from) {
        // Every entry of the wider prefix is one of this one: the same rows, the same list.
        this.share(prefix, parent.list);
      } else {
        // Name order from the build's ranks: an integer sort, no name compared. A slot with
        // two keys in the range (two words with one prefix) is marked so it is listed once.
        this.mark += 1;
        const ranks = new Int32Array(to - from);
        let n = 0;
        for (let i = from; i < to; i += 1) {
          const slot = part.slots[i] as number;
          if (this.marks[slot] === this.mark) continue;
          this.marks[slot] = this.mark;
          ranks[n++] = rank[slot] as number;
        }
        const sorted = ranks.subarray(0, n).sort();
        const list = new Array<number>(n);
        for (let i = 0; i < n; i += 1) list[i] = named[sorted[i] as number] as number;
        this.share(prefix, list);
        own = { list, entries: to - from };
        if (to - from > 2000) yield;
      }
    }
    // Keys equal to the prefix sort first; each longer key starts one child prefix.
    let at = part.end(from, (key) => key === prefix);
    while (at < to) {
      const child = (part.keys[at] as string).slice(0, prefix.length + 1);
      const end = part.end(at, (key) => key.startsWith(child));
      if (end - at > this.options.threshold) {
        yield* this.listPrefixes(part, child, at, end, own, named, rank);
      }
      at = end;
    }
  }
}
