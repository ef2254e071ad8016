/**
 * An in-memory search index over one table of rows (the directory, or the held patients), with
 * the semantics of search.ts and its ranking (`rankTier`, then name order). Keys (name words,
 * CTC IDs, phone suffixes) are kept sorted per facility, with lists in name order for wide
 * prefixes (search-keys.ts), so a query walks tier by tier in rank order (search-tiers.ts) —
 * the own facility's lists, then the others' merged — and stops at the limit: no query gathers
 * or sorts every match (docs/decisions/0022-search-index.md).
 *
 * Rows come and go one at a time (a commit, another tab's write): each key and list entry is
 * placed by binary search, so an update costs a few splices of arrays, never a rebuild.
 */
import type { DirectoryRow, PatientRow, SearchOptions } from '../crdt/ports';
import { clampLimit, compareText, type ParsedQuery } from './search';
import { Slots, type IndexedFields, type Scope } from './search-slots';
import { searchDigits, searchWords } from './search-tiers';

export type { IndexedFields } from './search-slots';

/** Prefix ranges of at most this many entries are sorted when asked; wider ones have lists. */
const THRESHOLD = 128;
/** Rows stored between two checks of a build slice's time. */
const BUILD_CHUNK = 500;

export interface SearchIndexShape<T> {
  fields(row: T): IndexedFields;
  /** Override of `THRESHOLD`, so tests reach every way of answering a prefix. */
  threshold?: number;
}

export interface SearchIndex<T> {
  readonly size: number;
  /** Entries and list slots read by searches so far: a test hook bounding a query's work. */
  readonly visits: number;
  get(ctcId: string): T | undefined;
  has(ctcId: string): boolean;
  upsert(row: T): void;
  remove(ctcId: string): void;
  search(parsed: ParsedQuery, limit: number, options?: SearchOptions): T[];
}

export const directoryShape: SearchIndexShape<DirectoryRow> = {
  fields: (row) => ({
    ctcId: row.ctcId,
    facility: row.facilityCode,
    givenName: row.givenName,
    familyName: row.familyName,
    nameTokens: row.nameTokens,
  }),
};

export const patientShape: SearchIndexShape<PatientRow> = {
  fields: (row) => ({
    ctcId: row.ctcId,
    facility: row.primaryFacility,
    givenName: row.givenName,
    familyName: row.familyName,
    nameTokens: row.nameTokens,
    ...(row.phoneDigits ? { phoneDigits: row.phoneDigits } : {}),
  }),
};

function indexWithSteps<T>(
  shape: SearchIndexShape<T>,
  initial: readonly T[],
): { index: SearchIndex<T>; steps: Generator<void, void, void> } {
  const slots = new Slots<T>(shape.threshold ?? THRESHOLD);

  /**
   * The build, as steps: it yields after each chunk of rows and between the sorts, so a caller
   * can give the page its turn between them (`buildSearchIndex`).
   */
  function* build(): Generator<void, void, void> {
    // Rows of a table are unique by CTC ID (its primary key).
    const stored: number[] = [];
    for (let i = 0; i < initial.length; i += 1) {
      const row = initial[i] as T;
      stored.push(slots.store(row, shape.fields(row)));
      if (i % BUILD_CHUNK === BUILD_CHUNK - 1) yield;
    }
    const { ids, families, givens } = slots;
    // Tables are read in CTC ID order (their primary key), so this is usually a check only.
    if (
      !stored.every((slot, i) => i === 0 || (ids[stored[i - 1] as number] as string) < ids[slot]!)
    ) {
      stored.sort((a, b) => compareText(ids[a] as string, ids[b] as string));
    }
    // Name order from one number per slot (the rank of its folded family, then given, name
    // among the distinct ones) and a stable sort of the ID order: integer compares, with the
    // CTC ID as the tie-break for free.
    const rankOf = (values: string[]) => {
      const distinct = [...new Set(values)].sort(compareText);
      return new Map(distinct.map((value, i) => [value, i]));
    };
    const familyRank = rankOf(stored.map((slot) => families[slot] as string));
    const givenRank = rankOf(stored.map((slot) => givens[slot] as string));
    const order = new Float64Array(slots.rows.length);
    for (const slot of stored) {
      order[slot] =
        (familyRank.get(families[slot] as string) as number) * givenRank.size +
        (givenRank.get(givens[slot] as string) as number);
    }
    yield;
    const byId = stored.slice();
    const named = stored.sort((a, b) => (order[a] as number) - (order[b] as number));
    slots.setNameOrder(named);
    const rank = new Int32Array(slots.rows.length);
    // Each facility's rows in name order and in ID order (`byId` kept that order).
    const inNameOrder = new Map<Scope, number[]>();
    const inIdOrder = new Map<Scope, number[]>();
    const add = (into: Map<Scope, number[]>, slot: number) => {
      const scope = slots.facilityScope(slot);
      const list = into.get(scope);
      if (list) list.push(slot);
      else into.set(scope, [slot]);
    };
    named.forEach((slot, i) => {
      rank[slot] = i;
      add(inNameOrder, slot);
    });
    for (const slot of byId) add(inIdOrder, slot);
    yield;
    const idOf = (slot: number) => ids[slot] as string;
    for (const [scope, scopeSlots] of inNameOrder) {
      yield* scope.words.build(scopeSlots, named, rank);
      const byKey = { slots: inIdOrder.get(scope) ?? [], keyOf: idOf };
      yield* scope.ids.build(scopeSlots, named, rank, byKey);
      yield* scope.phones.build(scopeSlots, named, rank);
    }
  }

  const index: SearchIndex<T> = {
    get size() {
      return slots.slotOf.size;
    },
    get visits() {
      return slots.counter.visits;
    },
    get: (ctcId) => {
      const slot = slots.slotOf.get(ctcId);
      return slot === undefined ? undefined : slots.rows[slot];
    },
    has: (ctcId) => slots.slotOf.has(ctcId),
    upsert(row) {
      const fields = shape.fields(row);
      const previous = slots.slotOf.get(fields.ctcId);
      if (previous !== undefined && slots.same(previous, fields)) {
        // Nothing searchable changed (a visit updated the summary): the lists stay as they are.
        slots.rows[previous] = row;
        slots.tokens[previous] = fields.nameTokens;
        return;
      }
      index.remove(fields.ctcId);
      const slot = slots.add(row, fields);
      const scope = slots.facilityScope(slot);
      scope.words.insert(slot);
      scope.ids.insert(slot);
      scope.phones.insert(slot);
    },
    remove(ctcId) {
      const slot = slots.slotOf.get(ctcId);
      if (slot === undefined) return;
      const scope = slots.facilityScope(slot);
      scope.words.remove(slot);
      scope.ids.remove(slot);
      scope.phones.remove(slot);
      slots.release(slot);
    },
    search(parsed, limit, options = {}) {
      const max = clampLimit(limit);
      if (max === 0 || parsed.kind === 'empty') return [];
      const own =
        options.ownFacility === undefined ? undefined : slots.facilityNumber(options.ownFacility);
      const found =
        parsed.kind === 'words'
          ? searchWords(slots, parsed.words, max, own)
          : searchDigits(slots, parsed, max, own);
      return found.map((slot) => slots.rows[slot] as T);
    },
  };
  return { index, steps: build() };
}

/** Builds an index at once (tests, benchmarks, small tables). */
export function createSearchIndex<T>(
  shape: SearchIndexShape<T>,
  initial: readonly T[] = [],
): SearchIndex<T> {
  const { index, steps } = indexWithSteps(shape, initial);
  for (;;) if (steps.next().done) return index;
}

/**
 * Builds an index in slices of at most `sliceMs` of work, each in its own task, so the page
 * stays responsive while a district's rows are indexed (issue 9: no long task at start-up).
 */
export async function buildSearchIndex<T>(
  shape: SearchIndexShape<T>,
  initial: readonly T[],
  sliceMs = 25,
): Promise<SearchIndex<T>> {
  const { index, steps } = indexWithSteps(shape, initial);
  let sliceStart = performance.now();
  for (;;) {
    if (steps.next().done) return index;
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      sliceStart = performance.now();
    }
  }
}
