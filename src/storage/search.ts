/**
 * Search semantics shared by every adapter, so a query finds the same patients whatever the
 * storage engine: the predicates, the ranking and `scanAndRank`, the reference the index
 * (search-index.ts) is tested against.
 */
import type { DirectoryRow, PatientRow, SearchOptions } from '../crdt/ports';
import { digitsOnly, foldForSearch, searchTokens } from '../lib/text';
import { isVariant } from './search-variants';

/** A CTC ID has 14 digits; a query of that length names one patient. */
export const CTC_ID_LENGTH = 14;
/** Fewer digits than this match too much to be useful as an ID or phone search. */
export const MIN_DIGIT_QUERY = 3;

export type ParsedQuery =
  | { kind: 'empty' }
  /** Digits typed with any grouping ("1234-5678-000001", "0712 345 678"). */
  | { kind: 'digits'; digits: string }
  /** Folded name words; each must be the start of some word of the name. */
  | { kind: 'words'; words: string[] };

/**
 * Longer input is cut here before parsing: no name or number is this long, and a pasted page
 * must cost a keystroke's time, not a scan per word.
 */
export const MAX_QUERY_LENGTH = 100;

export function parseQuery(input: string): ParsedQuery {
  const query = typeof input === 'string' ? input.slice(0, MAX_QUERY_LENGTH) : '';
  const hasLetters = /\p{L}/u.test(query);
  const digits = digitsOnly(query);
  if (!hasLetters && digits.length >= MIN_DIGIT_QUERY) return { kind: 'digits', digits };
  const words = searchTokens(query);
  return words.length === 0 ? { kind: 'empty' } : { kind: 'words', words };
}

export function matchesCtcId(ctcId: string, digits: string): boolean {
  return digits.length >= CTC_ID_LENGTH ? ctcId === digits : ctcId.startsWith(digits);
}

/**
 * Phone numbers are stored as typed (digits only) and searched by any run of digits, so
 * "345678" finds "+255 712 345 678". A leading trunk zero ("0712…") is dropped because the
 * same number is often stored with the country code instead.
 */
export function matchesPhone(phoneDigits: string | undefined, digits: string): boolean {
  if (!phoneDigits) return false;
  if (phoneDigits.includes(digits)) return true;
  const national = digits.replace(/^0+/, '');
  return national.length >= MIN_DIGIT_QUERY && phoneDigits.endsWith(national);
}

/** Every query word starts some word of the name, or is another spelling of one (variants). */
export function matchesWords(nameTokens: readonly string[], words: readonly string[]): boolean {
  return words.every((word) =>
    nameTokens.some((token) => token.startsWith(word) || isVariant(word, token)),
  );
}

interface Named {
  ctcId: string;
  givenName: string;
  familyName: string;
}

/**
 * Folding is the costly part of building an index (NFKD and three regular expressions); names
 * of plain ASCII letters, most of them, fold to their lower case.
 */
const plainName = /^[A-Za-z]+(?: [A-Za-z]+)*$/;
export function foldName(text: string): string {
  return plainName.test(text) ? text.toLowerCase() : foldForSearch(text);
}

/**
 * One string whose order is `compareByName`'s: the folded names hold no U+0000 (folding turns
 * every non-letter into a space), so the separator sorts before any character of a longer name.
 */
export function nameKey(row: Named): string {
  return `${foldName(row.familyName)}\u0000${foldName(row.givenName)}\u0000${row.ctcId}`;
}

/** Family name, then given name (folded, so accents do not change the order), then CTC ID. */
export function compareByName(a: Named, b: Named): number {
  return (
    compareText(foldForSearch(a.familyName), foldForSearch(b.familyName)) ||
    compareText(foldForSearch(a.givenName), foldForSearch(b.givenName)) ||
    compareText(a.ctcId, b.ctcId)
  );
}

export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Every query word is a whole word of the name (not only the start of one). */
export function matchesWordsExactly(
  nameTokens: readonly string[],
  words: readonly string[],
): boolean {
  return words.every((word) => nameTokens.includes(word));
}

/** What ranking needs of a row, whichever table it comes from. */
export interface RankedRow {
  ctcId: string;
  facility: string;
  nameTokens: readonly string[];
  /** `nameKey` of the row. */
  key: string;
}

export const rankedDirectoryRow = (row: DirectoryRow): RankedRow => ({
  ctcId: row.ctcId,
  facility: row.facilityCode,
  nameTokens: row.nameTokens,
  key: nameKey(row),
});

export const rankedPatientRow = (row: PatientRow): RankedRow => ({
  ctcId: row.ctcId,
  facility: row.primaryFacility,
  nameTokens: row.nameTokens,
  key: nameKey(row),
});

/**
 * The rank tiers of a matching row, smaller first: the exact CTC ID, then the searcher's own
 * facility, then the name's match quality (every word whole before a mere prefix), then name
 * order (`nameKey`). Rows are unique by CTC ID, so this is a total order and a top-k is unique.
 */
export function rankTier(row: RankedRow, parsed: ParsedQuery, options: SearchOptions = {}): number {
  const exactId = parsed.kind === 'digits' && row.ctcId === parsed.digits ? 0 : 1;
  const own = options.ownFacility === undefined || row.facility === options.ownFacility ? 0 : 1;
  const quality =
    parsed.kind === 'words' && !matchesWordsExactly(row.nameTokens, parsed.words) ? 1 : 0;
  return exactId * 4 + own * 2 + quality;
}

export function compareRanked(a: { tier: number; key: string }, b: { tier: number; key: string }) {
  return a.tier - b.tier || compareText(a.key, b.key);
}

/**
 * The reference search: every row checked, the matches ranked and cut to `limit`. The index
 * (search-index.ts) must return exactly this (tests/unit/storage/search-index.test.ts).
 */
export function scanAndRank<T>(
  rows: Iterable<T>,
  parsed: ParsedQuery,
  matches: (row: T, parsed: ParsedQuery) => boolean,
  describe: (row: T) => RankedRow,
  limit: number,
  options: SearchOptions = {},
): T[] {
  const found: Array<{ row: T; tier: number; key: string }> = [];
  for (const row of rows) {
    if (!matches(row, parsed)) continue;
    const ranked = describe(row);
    found.push({ row, tier: rankTier(ranked, parsed, options), key: ranked.key });
  }
  return found
    .sort(compareRanked)
    .slice(0, clampLimit(limit))
    .map((entry) => entry.row);
}

/** No screen shows more; a larger limit would only make a one-letter query cost a scan. */
export const MAX_RESULTS = 1000;

/** A limit as a count of rows: none for a non-positive or non-number limit. */
export function clampLimit(limit: number): number {
  if (typeof limit !== 'number' || Number.isNaN(limit)) return 0;
  return Math.min(MAX_RESULTS, Math.max(0, Math.floor(limit)));
}

export function directoryRowMatches(row: DirectoryRow, parsed: ParsedQuery): boolean {
  switch (parsed.kind) {
    case 'empty':
      return false;
    case 'digits':
      return matchesCtcId(row.ctcId, parsed.digits);
    case 'words':
      return matchesWords(row.nameTokens, parsed.words);
  }
}

export function patientRowMatches(row: PatientRow, parsed: ParsedQuery): boolean {
  switch (parsed.kind) {
    case 'empty':
      return false;
    case 'digits':
      return matchesCtcId(row.ctcId, parsed.digits) || matchesPhone(row.phoneDigits, parsed.digits);
    case 'words':
      return matchesWords(row.nameTokens, parsed.words);
  }
}

/** Worklist order: earliest appointment first, then CTC ID for a stable order. */
export function compareByAppointment(a: PatientRow, b: PatientRow): number {
  return (
    compareText(a.nextAppointment ?? '', b.nextAppointment ?? '') || compareText(a.ctcId, b.ctcId)
  );
}
