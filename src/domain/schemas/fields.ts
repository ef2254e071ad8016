/** Field schemas shared by the forms. Each action's message is a `rule()` (see ./issues.ts). */
import * as v from 'valibot';
import { digitsOnly } from '../../lib/text';
import { addYears, hasIsoDateShape, isAfterDate, isBeforeDate, isIsoDate } from '../dates';
import type { FacilityCode, IsoDate } from '../types';
import { collapseSpaces } from './form';
import { rule } from './issues';

export const limits = {
  nameMax: 60,
  shortTextMax: 100,
  noteMax: 1000,
  phoneDigitsMin: 9,
  phoneDigitsMax: 15,
  facilityCodeDigits: 8,
  maxAgeYears: 120,
  maxYearsAhead: 1,
} as const;

export function text(max: number) {
  return v.pipe(v.string(rule('invalid_format')), v.maxLength(max, rule('too_long', { max })));
}

/** Letters of any script (with accents), spaces, hyphens and apostrophes; at least one letter. */
const namePattern = /^(?=.*\p{L})[\p{L}\p{M} '’-]+$/u;

export function personName(max: number = limits.nameMax) {
  return v.pipe(
    v.string(rule('invalid_format')),
    v.transform(collapseSpaces),
    v.minLength(1, rule('too_short', { min: 1 })),
    v.maxLength(max, rule('too_long', { max })),
    v.regex(namePattern, rule('invalid_format')),
  );
}

/** 9–15 digits, an optional leading +, spaces allowed between digits. */
export function phone() {
  return v.pipe(
    v.string(rule('invalid_format')),
    v.regex(/^\+?[\d ]+$/, rule('invalid_format')),
    v.check(
      (value: string) => digitsOnly(value).length >= limits.phoneDigitsMin,
      rule('too_short', { min: limits.phoneDigitsMin }),
    ),
    v.check(
      (value: string) => digitsOnly(value).length <= limits.phoneDigitsMax,
      rule('too_long', { max: limits.phoneDigitsMax }),
    ),
    v.transform(collapseSpaces),
  );
}

/** Exactly 8 digits; spaces and dashes typed for readability are dropped. */
export function facilityCode() {
  return v.pipe(
    v.string(rule('invalid_format')),
    v.transform((value: string) => value.replace(/[\s-]+/g, '')),
    v.regex(/^\d+$/, rule('invalid_format')),
    v.length(
      limits.facilityCodeDigits,
      rule('digits_exact', { digits: limits.facilityCodeDigits }),
    ),
    v.transform((value: string) => value as FacilityCode),
  );
}

export function isoDate() {
  return v.pipe(
    v.string(rule('invalid_format')),
    v.check(hasIsoDateShape, rule('invalid_format')),
    v.check((value: string) => isIsoDate(value), rule('invalid_date')),
    v.transform((value: string) => value as IsoDate),
  );
}

/**
 * A date that has happened: not after today and, when the birth date is known, not before it.
 */
export function pastDate(today: IsoDate, birthDate?: IsoDate) {
  return v.pipe(
    isoDate(),
    v.check((date: IsoDate) => !isAfterDate(date, today), rule('date_in_future', { date: today })),
    v.check(
      (date: IsoDate) => birthDate === undefined || !isBeforeDate(date, birthDate),
      rule('date_before_birth', birthDate ? { date: birthDate } : undefined),
    ),
  );
}

/** A date to come: today or later, and at most about a year ahead. */
export function upcomingDate(today: IsoDate) {
  const latest = addYears(today, limits.maxYearsAhead);
  return v.pipe(
    isoDate(),
    v.check((date: IsoDate) => !isBeforeDate(date, today), rule('date_in_past', { date: today })),
    v.check((date: IsoDate) => !isAfterDate(date, latest), rule('date_after', { date: latest })),
  );
}

export function birthDate(today: IsoDate) {
  const earliest = addYears(today, -limits.maxAgeYears);
  return v.pipe(
    isoDate(),
    v.check((date: IsoDate) => !isAfterDate(date, today), rule('date_in_future', { date: today })),
    v.check(
      (date: IsoDate) => !isBeforeDate(date, earliest),
      rule('date_before', { date: earliest }),
    ),
  );
}

/** Plain decimal notation, e.g. "62.5"; no thousands separators, no exponents. */
const decimalPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A number typed as text (or already a number). */
export function numeric() {
  return v.pipe(
    v.union(
      [v.string(), v.pipe(v.number(), v.finite(), v.transform(String))],
      rule('invalid_format'),
    ),
    v.regex(decimalPattern, rule('invalid_format')),
    v.transform(Number),
  );
}

export function decimal(bounds: { min: number; max: number; integer?: boolean }) {
  return v.pipe(
    numeric(),
    v.check((value: number) => !bounds.integer || Number.isInteger(value), rule('not_integer')),
    v.minValue(bounds.min, rule('min_value', { min: bounds.min })),
    v.maxValue(bounds.max, rule('max_value', { max: bounds.max })),
  );
}

/** A number that must be one of a few values (WHO stage, days supplied). */
export function numberChoice<N extends number>(choices: readonly N[]) {
  return v.pipe(
    numeric(),
    v.check((value: number) => (choices as readonly number[]).includes(value), rule('not_in_list')),
    v.transform((value: number) => value as N),
  );
}

export function choice<const C extends string>(codes: readonly C[]) {
  return v.picklist(codes, rule('not_in_list'));
}

/** A multi-select: absent means none chosen. */
export function codeList(codes: readonly string[]) {
  return v.optional(
    v.array(v.picklist(codes, rule('not_in_list')), rule('invalid_format')),
    () => [],
  );
}

/** A checkbox: absent means unticked. */
export function flag() {
  return v.optional(v.boolean(rule('invalid_format')), false);
}
