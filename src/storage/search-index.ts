/**
 * An in-memory search index over one table of rows (the directory, or the held patients), with
 * the semantics of search.ts and its ranking (`rankTier`, then name order). Every list the index
 * keeps is in name order, so a query walks candidates tier by tier in rank order and stops at
 * the limit: a one-letter query reads slot numbers until it has its 50, it never gathers every
 * match (docs/decisions/0022-search-index.md).
 *
 * Lists hold slot numbers; a slot holds one row and what ranking needs of it, in plain arrays
 * (the walks are tight loops over integers). Rows come and go one at a time (a commit, another
 * tab's write): a list entry is placed by binary search on name order, so an update costs a few
 * splices of integer arrays, never a rebuild.
 */
import type { DirectoryRow, PatientRow, SearchOptions } from '../crdt/ports';
import {
  CTC_ID_LENGTH,
  clampLimit,
  compareText,
  directoryRowMatches,
  patientRowMatches,
  foldName,
  matchesWords,
  matchesWordsExactly,
  type ParsedQuery,
} from './search';
import { variantsOf } from './search-variants';

/** Prefixes of this many letters or fewer have their own list; longer ones filter the longest. */
const PREFIX_LISTS = 2;
/** Up to this many ID-prefix matches are ranked by sorting them; more are found by a walk. */
const SORT_AT_MOST = 2000;
/** Rows stored or listed between two checks of a build slice's time. */
const BUILD_CHUNK = 500;

/** What the index reads of a row. */
export interface IndexedFields {
  ctcId: string;
  facility: string;
  givenName: string;
  familyName: string;
  nameTokens: readonly string[];
}

export interface SearchIndexShape<T> {
  fields(row: T): IndexedFields;
  matches(row: T, parsed: ParsedQuery): boolean;
  /** Patients are also found by phone: digit queries then check every row in name order. */
  digitsMatchOutsideId?: boolean;
  /** Override of `SORT_AT_MOST`, so tests reach both ways of answering an ID prefix. */
  sortAtMost?: number;
}

export interface SearchIndex<T> {
  readonly size: number;
  get(ctcId: string): T | undefined;
  has(ctcId: string): boolean;
  upsert(row: T): void;
  remove(ctcId: string): void;
  search(parsed: ParsedQuery, limit: number, options?: SearchOptions): T[];
}

const fieldsOf = (row: DirectoryRow | PatientRow, facility: string): IndexedFields => ({
  ctcId: row.ctcId,
  facility,
  givenName: row.givenName,
  familyName: row.familyName,
  nameTokens: row.nameTokens,
});

export const directoryShape: SearchIndexShape<DirectoryRow> = {
  fields: (row) => fieldsOf(row, row.facilityCode),
  matches: directoryRowMatches,
};

export const patientShape: SearchIndexShape<PatientRow> = {
  fields: (row) => fieldsOf(row, row.primaryFacility),
  matches: patientRowMatches,
  digitsMatchOutsideId: true,
};

function indexWithSteps<T>(
  shape: SearchIndexShape<T>,
  initial: readonly T[],
): { index: SearchIndex<T>; steps: Generator<void, void, void> } {
  const rows: Array<T | undefined> = [];
  const ids: string[] = [];
  const families: string[] = [];
  const givens: string[] = [];
  const tokens: Array<readonly string[]> = [];
  /** Facility of each slot as a small number: the own-facility test is an integer compare. */
  const facilities: number[] = [];
  const facilityNumbers = new Map<string, number>();
  const free: number[] = [];
  const slotOf = new Map<string, number>();
  /** Every slot, in name order; and in CTC ID order. */
  const all: number[] = [];
  /** Every slot of one facility, in name order: the own-facility tier walks only these. */
  const ofFacility = new Map<number, number[]>();
  const facilityList = (slot: number): number[] => {
    const number = facilities[slot] as number;
    let list = ofFacility.get(number);
    if (!list) {
      list = [];
      ofFacility.set(number, list);
    }
    return list;
  };
  const byId: number[] = [];
  const whole = new Map<string, number[]>();
  const prefixed = new Map<string, number[]>();
  /** Names repeat across a district: each distinct spelling is folded once. */
  const folded = new Map<string, string>();

  const fold = (name: string): string => {
    let value = folded.get(name);
    if (value === undefined) {
      value = foldName(name);
      folded.set(name, value);
    }
    return value;
  };

  const facilityNumber = (code: string): number => {
    let number = facilityNumbers.get(code);
    if (number === undefined) {
      number = facilityNumbers.size;
      facilityNumbers.set(code, number);
    }
    return number;
  };

  /** compareByName (search.ts) on two slots. */
  const byName = (a: number, b: number): number =>
    compareText(families[a] as string, families[b] as string) ||
    compareText(givens[a] as string, givens[b] as string) ||
    compareText(ids[a] as string, ids[b] as string);

  /** First position in `list` (in name order) whose slot is not before `slot`. */
  function nameBound(list: readonly number[], slot: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byName(list[mid] as number, slot) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function idBound(id: string): number {
    let lo = 0;
    let hi = byId.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ids[byId[mid] as number] as string) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function listIn(map: Map<string, number[]>, key: string): number[] {
    let list = map.get(key);
    if (!list) {
      list = [];
      map.set(key, list);
    }
    return list;
  }

  /**
   * The lists a row with this word belongs to: the word's own and those of its short prefixes.
   * Kept per distinct word (a district has far fewer words than rows); lists are never dropped.
   */
  const listsOfWord = new Map<string, number[][]>();
  function wordLists(token: string): number[][] {
    let lists = listsOfWord.get(token);
    if (!lists) {
      lists = [listIn(whole, token)];
      for (let length = 1; length <= Math.min(PREFIX_LISTS, token.length); length += 1) {
        lists.push(listIn(prefixed, token.slice(0, length)));
      }
      listsOfWord.set(token, lists);
    }
    return lists;
  }

  /** Calls `each` once per list the slot belongs to besides `all` (two words may share one). */
  function forEachList(slot: number, each: (list: number[]) => void): void {
    const seen = new Set<number[]>();
    for (const token of tokens[slot] as readonly string[]) {
      for (const list of wordLists(token)) {
        if (seen.has(list)) continue;
        seen.add(list);
        each(list);
      }
    }
  }

  function store(row: T): number {
    const fields = shape.fields(row);
    const slot = free.pop() ?? rows.length;
    rows[slot] = row;
    ids[slot] = fields.ctcId;
    families[slot] = fold(fields.familyName);
    givens[slot] = fold(fields.givenName);
    tokens[slot] = fields.nameTokens;
    facilities[slot] = facilityNumber(fields.facility);
    slotOf.set(fields.ctcId, slot);
    return slot;
  }

  /**
   * The build, as steps: it yields after each chunk of rows so a caller can give the page its
   * turn between them (`buildSearchIndex`). The one sort is a single step.
   */
  function* build(initialRows: readonly T[]): Generator<void, void, void> {
    // Rows of a table are unique by CTC ID (its primary key).
    const slots: number[] = [];
    for (let i = 0; i < initialRows.length; i += 1) {
      slots.push(store(initialRows[i] as T));
      if (i % BUILD_CHUNK === BUILD_CHUNK - 1) yield;
    }
    // Tables are read in CTC ID order (their primary key), so this is usually a check only.
    for (const slot of slots) byId.push(slot);
    if (!byId.every((slot, i) => i === 0 || (ids[byId[i - 1] as number] as string) < ids[slot]!)) {
      byId.sort((a, b) => compareText(ids[a] as string, ids[b] as string));
    }
    // Name order from one number per slot (the rank of its folded family, then given, name
    // among the distinct ones) and a stable sort of the ID order: integer compares, with the
    // CTC ID as the tie-break for free.
    const rankOf = (values: string[]) => {
      const distinct = [...new Set(values)].sort(compareText);
      return new Map(distinct.map((value, i) => [value, i]));
    };
    const familyRank = rankOf(slots.map((slot) => families[slot] as string));
    const givenRank = rankOf(slots.map((slot) => givens[slot] as string));
    const order = new Float64Array(rows.length);
    for (const slot of slots) {
      order[slot] =
        (familyRank.get(families[slot] as string) as number) * givenRank.size +
        (givenRank.get(givens[slot] as string) as number);
    }
    yield;
    const named = byId.slice().sort((a, b) => (order[a] as number) - (order[b] as number));
    yield;
    for (let i = 0; i < named.length; i += 1) {
      const slot = named[i] as number;
      if (i % BUILD_CHUNK === BUILD_CHUNK - 1) yield;
      all.push(slot);
      facilityList(slot).push(slot);
      // In name order each list is appended to; a list two words of this row share is the
      // one whose last entry is this slot already.
      for (const token of tokens[slot] as readonly string[]) {
        for (const list of wordLists(token)) {
          if (list[list.length - 1] !== slot) list.push(slot);
        }
      }
    }
  }

  /** The union of lists in name order, each slot once (a word's other spellings, rarely). */
  function mergeByName(lists: readonly (readonly number[])[]): number[] {
    let merged: number[] = [];
    for (const list of lists) {
      const next: number[] = [];
      let i = 0;
      let j = 0;
      while (i < merged.length || j < list.length) {
        const a = merged[i];
        const b = list[j];
        const order = a === undefined ? 1 : b === undefined ? -1 : byName(a, b);
        if (order <= 0) {
          next.push(a as number);
          i += 1;
          if (order === 0) j += 1;
        } else {
          next.push(b as number);
          j += 1;
        }
      }
      merged = next;
    }
    return merged;
  }

  /** Keeps the slots of `list` that `accept` takes, in order, until `into` holds `limit`. */
  function walk(
    list: readonly number[],
    limit: number,
    into: number[],
    accept: (slot: number) => boolean,
  ): void {
    for (let i = 0; i < list.length && into.length < limit; i += 1) {
      const slot = list[i] as number;
      if (accept(slot)) into.push(slot);
    }
  }

  function searchWords(words: readonly string[], limit: number, own: number | undefined) {
    // The longest word narrows most; one with other spellings only when every word has some.
    const longest = (pool: readonly string[]) =>
      pool.reduce((best, word) => (word.length > best.length ? word : best), '');
    const plain = words.filter((word) => variantsOf(word).length === 0);
    const driving = longest(plain.length > 0 ? plain : words);
    const ownList = prefixed.get(driving.slice(0, PREFIX_LISTS)) ?? [];
    const spellings = variantsOf(driving).filter((spelling) => !spelling.startsWith(driving));
    const candidates =
      spellings.length === 0
        ? ownList
        : mergeByName([ownList, ...spellings.map((spelling) => whole.get(spelling) ?? [])]);
    // Whole-word rows are in the shortest whole-word list of the query, if every word has one.
    let exactList: number[] | undefined;
    for (const word of words) {
      const list = whole.get(word);
      if (!list) {
        exactList = undefined;
        break;
      }
      if (!exactList || list.length < exactList.length) exactList = list;
    }
    // A one-word query of a listed prefix needs no check beyond the list it walks.
    const listIsTheMatch =
      words.length === 1 && driving.length <= PREFIX_LISTS && spellings.length === 0;
    const single = words.length === 1 ? words[0] : undefined;
    const isExact = (slot: number) =>
      single !== undefined
        ? (tokens[slot] as readonly string[]).includes(single)
        : matchesWordsExactly(tokens[slot] as readonly string[], words);
    const isPrefixOnly = (slot: number) =>
      (listIsTheMatch || matchesWords(tokens[slot] as readonly string[], words)) &&
      (exactList === undefined || !isExact(slot));
    const found: number[] = [];
    if (own === undefined) {
      if (exactList) walk(exactList, limit, found, isExact);
      walk(candidates, limit, found, isPrefixOnly);
      return found;
    }
    // Own facility: its own list when that is shorter than the word's (it is checked in full).
    const ownRows = ofFacility.get(own) ?? [];
    const isOwn = (slot: number) => facilities[slot] === own;
    const matchesAll = (slot: number) => matchesWords(tokens[slot] as readonly string[], words);
    if (exactList) {
      if (ownRows.length < exactList.length) walk(ownRows, limit, found, isExact);
      else walk(exactList, limit, found, (slot) => isOwn(slot) && isExact(slot));
    }
    if (ownRows.length < candidates.length) {
      walk(ownRows, limit, found, (slot) => matchesAll(slot) && !(exactList && isExact(slot)));
    } else {
      walk(candidates, limit, found, (slot) => isOwn(slot) && isPrefixOnly(slot));
    }
    if (exactList) walk(exactList, limit, found, (slot) => !isOwn(slot) && isExact(slot));
    walk(candidates, limit, found, (slot) => !isOwn(slot) && isPrefixOnly(slot));
    return found;
  }

  function searchDigits(parsed: ParsedQuery & { kind: 'digits' }, limit: number, own?: number) {
    const { digits } = parsed;
    const found: number[] = [];
    const exact = digits.length >= CTC_ID_LENGTH ? slotOf.get(digits) : undefined;
    if (exact !== undefined) found.push(exact);
    const ownFirst = (a: number, b: number) =>
      own === undefined ? 0 : Number(facilities[a] !== own) - Number(facilities[b] !== own);
    if (!shape.digitsMatchOutsideId) {
      // Only CTC IDs can match: they are one range of the ID order.
      const sortAtMost = shape.sortAtMost ?? SORT_AT_MOST;
      const from = idBound(digits);
      let to = from;
      while (to < byId.length && (ids[byId[to] as number] as string).startsWith(digits)) {
        to += 1;
        if (to - from > sortAtMost) break;
      }
      if (to - from <= sortAtMost) {
        const ranked = byId
          .slice(from, to)
          .filter((slot) => slot !== exact && shape.matches(rows[slot] as T, parsed))
          .sort((a, b) => ownFirst(a, b) || byName(a, b));
        for (const slot of ranked) {
          if (found.length >= limit) break;
          found.push(slot);
        }
        return found;
      }
    }
    // Many matches (a facility's prefix) or phone numbers: walk the name order, which finds
    // `limit` of a dense match quickly and checks each row once when matches are rare.
    const matches = (slot: number) => slot !== exact && shape.matches(rows[slot] as T, parsed);
    if (own === undefined) {
      walk(all, limit, found, matches);
    } else {
      walk(ofFacility.get(own) ?? [], limit, found, matches);
      walk(all, limit, found, (slot) => facilities[slot] !== own && matches(slot));
    }
    return found;
  }

  const index: SearchIndex<T> = {
    get size() {
      return slotOf.size;
    },
    get: (ctcId) => {
      const slot = slotOf.get(ctcId);
      return slot === undefined ? undefined : rows[slot];
    },
    has: (ctcId) => slotOf.has(ctcId),
    upsert(row) {
      const fields = shape.fields(row);
      const previous = slotOf.get(fields.ctcId);
      if (
        previous !== undefined &&
        fold(fields.familyName) === families[previous] &&
        fold(fields.givenName) === givens[previous] &&
        facilityNumber(fields.facility) === facilities[previous] &&
        fields.nameTokens.join(' ') === (tokens[previous] as readonly string[]).join(' ')
      ) {
        // Nothing searchable changed (a visit updated the summary): the lists stay as they are.
        rows[previous] = row;
        tokens[previous] = fields.nameTokens;
        return;
      }
      index.remove(fields.ctcId);
      const slot = store(row);
      all.splice(nameBound(all, slot), 0, slot);
      const sameFacility = facilityList(slot);
      sameFacility.splice(nameBound(sameFacility, slot), 0, slot);
      forEachList(slot, (list) => list.splice(nameBound(list, slot), 0, slot));
      byId.splice(idBound(fields.ctcId), 0, slot);
    },
    remove(ctcId) {
      const slot = slotOf.get(ctcId);
      if (slot === undefined) return;
      const drop = (list: number[]) => {
        const at = nameBound(list, slot);
        if (list[at] === slot) list.splice(at, 1);
      };
      drop(all);
      drop(facilityList(slot));
      forEachList(slot, drop);
      const at = idBound(ctcId);
      if (byId[at] === slot) byId.splice(at, 1);
      slotOf.delete(ctcId);
      rows[slot] = undefined;
      free.push(slot);
    },
    search(parsed, limit, options = {}) {
      const max = clampLimit(limit);
      if (max === 0 || parsed.kind === 'empty') return [];
      const own =
        options.ownFacility === undefined ? undefined : facilityNumber(options.ownFacility);
      const slots =
        parsed.kind === 'words'
          ? searchWords(parsed.words, max, own)
          : searchDigits(parsed, max, own);
      return slots.map((slot) => rows[slot] as T);
    },
  };
  return { index, steps: build(initial) };
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
