/**
 * A query answered tier by tier in rank order (search.ts `rankTier`): the exact CTC ID, then
 * the own facility's rows, then the other facilities' merged in name order, and within each,
 * rows with every word whole before mere prefixes. Each tier is a walk of name-ordered runs
 * that stops at the limit; what a tier skips (the exact ID, whole-word rows) an earlier tier
 * took without filling the limit, so skips cost fewer than `limit` visits.
 */
import { CTC_ID_LENGTH, matchesWordsExactly, type ParsedQuery } from './search';
import { EMPTY_RUN, type NameRun } from './search-keys';
import type { Scope, Slots } from './search-slots';
import { variantsOf } from './search-variants';
import { cursorOf, joinOf, mergeOf, take } from './search-walk';

/** Runs of the rows matching one query word: its prefix, and whole words spelled otherwise. */
function wordRuns(scope: Scope, word: string): NameRun[] {
  const others = variantsOf(word).filter((spelling) => !spelling.startsWith(word));
  return [scope.words.prefixed(word), ...others.map((spelling) => scope.words.exact(spelling))];
}

/** The scopes to walk: the own facility's, then the others' merged. */
function scopesOf<T>(slots: Slots<T>, own: number | undefined): [Scope | undefined, Scope[]] {
  const others: Scope[] = [];
  for (const [facility, scope] of slots.ofFacility) if (facility !== own) others.push(scope);
  return [own === undefined ? undefined : slots.ofFacility.get(own), others];
}

export function searchWords<T>(
  slots: Slots<T>,
  words: readonly string[],
  limit: number,
  own: number | undefined,
): number[] {
  const { tokens, byName, counter } = slots;
  const isExact = (slot: number) => matchesWordsExactly(tokens[slot] as readonly string[], words);
  // Rows every word matches: a join of each word's runs; rows with every word whole first.
  const whole = (scope: Scope) =>
    joinOf(
      words.map((word) => cursorOf([scope.words.exact(word)], byName, counter)),
      byName,
    );
  const all = (scope: Scope) =>
    joinOf(
      words.map((word) => cursorOf(wordRuns(scope, word), byName, counter)),
      byName,
    );
  const found: number[] = [];
  const [ownScope, others] = scopesOf(slots, own);
  if (ownScope) {
    take(whole(ownScope), limit, found);
    take(all(ownScope), limit, found, isExact);
  }
  if (found.length < limit) take(mergeOf(others.map(whole), byName), limit, found);
  if (found.length < limit) take(mergeOf(others.map(all), byName), limit, found, isExact);
  return found;
}

/** Runs of the rows a digit query matches besides its exact CTC ID: an ID prefix, phones. */
function digitRuns(scope: Scope, digits: string): NameRun[] {
  const runs = [digits.length >= CTC_ID_LENGTH ? EMPTY_RUN : scope.ids.prefixed(digits)];
  runs.push(scope.phones.prefixed(digits));
  // A national number ("0712…") also finds the same number stored with the country code.
  const national = digits.replace(/^0+/, '');
  if (national !== digits && national.length >= 3) runs.push(scope.phones.exact(national));
  return runs;
}

export function searchDigits<T>(
  slots: Slots<T>,
  parsed: ParsedQuery & { kind: 'digits' },
  limit: number,
  own: number | undefined,
): number[] {
  const { digits } = parsed;
  const { byName, counter } = slots;
  const found: number[] = [];
  const exact = digits.length >= CTC_ID_LENGTH ? slots.slotOf.get(digits) : undefined;
  if (exact !== undefined) found.push(exact);
  const notExact = (slot: number) => slot === exact;
  const matching = (scope: Scope) => cursorOf(digitRuns(scope, digits), byName, counter);
  const [ownScope, others] = scopesOf(slots, own);
  if (ownScope) take(matching(ownScope), limit, found, notExact);
  if (found.length < limit) take(mergeOf(others.map(matching), byName), limit, found, notExact);
  return found;
}
