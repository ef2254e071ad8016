/**
 * Calendar dates. A clinical date is a day on the clinic's wall calendar, not an instant: it is
 * read from the device's local time and never from `toISOString()` (which is UTC, and in
 * Tanzania, UTC+3, would give yesterday's date between midnight and 03:00).
 * All arithmetic goes through date-fns on local-midnight Dates.
 */
import {
  addDays as addDaysToDate,
  addYears as addYearsToDate,
  differenceInCalendarDays,
  format,
  isValid,
  parse,
} from 'date-fns';
import type { Clock } from '../lib/deps';
import type { IsoDate } from './types';

const isoDatePattern = /^\d{4}-\d{2}-\d{2}$/;
const isoFormat = 'yyyy-MM-dd';

/** `YYYY-MM-DD` in shape, whether or not such a day exists. */
export function hasIsoDateShape(text: string): boolean {
  return isoDatePattern.test(text);
}

/** A real calendar day written as `YYYY-MM-DD` (so 2025-02-30 and 2025-13-01 are refused). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string' || !isoDatePattern.test(value)) return false;
  const date = parse(value, isoFormat, new Date(2000, 0, 1));
  // The round trip refuses anything parse normalised instead of rejecting.
  return isValid(date) && format(date, isoFormat) === value;
}

function toLocalDate(date: IsoDate): Date {
  return parse(date, isoFormat, new Date(2000, 0, 1));
}

function fromLocalDate(date: Date): IsoDate {
  return format(date, isoFormat) as IsoDate;
}

/** Today on the device's calendar. */
export function todayIso(clock: Clock): IsoDate {
  return fromLocalDate(new Date(clock.now()));
}

/** Whole days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return differenceInCalendarDays(toLocalDate(to), toLocalDate(from));
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromLocalDate(addDaysToDate(toLocalDate(date), days));
}

/** 29 February plus one year is 28 February (date-fns clamps to the month's last day). */
export function addYears(date: IsoDate, years: number): IsoDate {
  return fromLocalDate(addYearsToDate(toLocalDate(date), years));
}

/**
 * Order of two valid ISO dates. Fixed-width `YYYY-MM-DD` sorts as text exactly as it sorts
 * as time, so no parsing is needed to compare.
 */
export function compareIsoDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isBeforeDate(a: IsoDate, b: IsoDate): boolean {
  return compareIsoDates(a, b) < 0;
}

export function isAfterDate(a: IsoDate, b: IsoDate): boolean {
  return compareIsoDates(a, b) > 0;
}
