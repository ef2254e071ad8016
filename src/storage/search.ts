/**
 * Search semantics shared by every adapter, so a query finds the same patients whatever the
 * storage engine. Adapters may use indexes to narrow candidates but must filter with these.
 */
import type { DirectoryRow, PatientRow } from '../crdt/ports';
import { digitsOnly, foldForSearch, searchTokens } from '../lib/text';

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

export function parseQuery(query: string): ParsedQuery {
  const hasLetters = /\p{L}/u.test(query);
  const digits = digitsOnly(query);
  if (!hasLetters && digits.length >= MIN_DIGIT_QUERY) return { kind: 'digits', digits };
  const words = searchTokens(query);
  return words.length === 0 ? { kind: 'empty' } : { kind: 'words', words };
}

/** The word most likely to narrow an index scan: the longest one. */
export function indexWord(words: readonly string[]): string {
  return words.reduce((best, word) => (word.length > best.length ? word : best), '');
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

export function matchesWords(nameTokens: readonly string[], words: readonly string[]): boolean {
  return words.every((word) => nameTokens.some((token) => token.startsWith(word)));
}

interface Named {
  ctcId: string;
  givenName: string;
  familyName: string;
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

/** Sorts by name and keeps the first `limit` rows (no rows for a non-positive limit). */
export function sortAndLimit<T extends Named>(rows: T[], limit: number): T[] {
  const max = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : rows.length;
  return rows.sort(compareByName).slice(0, max);
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
