/**
 * Is a new registration probably someone already registered? Registering a person twice splits
 * their history in two, so the app warns before saving (and the clinician may go ahead).
 */
import { foldForSearch } from '../lib/text';
import type { IsoDate, Sex } from './types';

export interface PersonKey {
  givenName: string;
  familyName: string;
  sex: Sex;
  /** The full birth date when this side knows it. */
  birthDate?: IsoDate;
  /** The birth year when only that is known (e.g. a network directory row). */
  birthYear?: number;
}

function yearOf(person: PersonKey): number | undefined {
  return person.birthDate ? Number(person.birthDate.slice(0, 4)) : person.birthYear;
}

function sameBirth(a: PersonKey, b: PersonKey): boolean {
  if (a.birthDate && b.birthDate) return a.birthDate === b.birthDate;
  const yearA = yearOf(a);
  const yearB = yearOf(b);
  return yearA !== undefined && yearA === yearB;
}

/**
 * Same folded names (accents and case ignored; given and family name swapped also counts, as
 * registers often record them in either order), same sex, and the same birth date — or the same
 * birth year when one side knows only the year.
 */
export function isLikelySamePerson(a: PersonKey, b: PersonKey): boolean {
  if (a.sex !== b.sex || !sameBirth(a, b)) return false;
  const givenA = foldForSearch(a.givenName);
  const familyA = foldForSearch(a.familyName);
  const givenB = foldForSearch(b.givenName);
  const familyB = foldForSearch(b.familyName);
  if (givenA === '' || familyA === '') return false;
  return (givenA === givenB && familyA === familyB) || (givenA === familyB && familyA === givenB);
}
