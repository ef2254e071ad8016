/**
 * Calendar dates. A clinical date is a day on the clinic's wall calendar, not an instant: it is
 * read from the device's local time and never from `toISOString()` (which is UTC, and in
 * Tanzania, UTC+3, would give yesterday's date between midnight and 03:00).
 * Arithmetic is done on the day's numbers in UTC, where every day has 24 hours, so a
 * daylight-saving change on the device can never shift a date (a few lines, instead of a
 * date library in the first screen's bundle).
 */
import type { Clock } from '../lib/deps';
import type { IsoDate } from './types';

const isoDatePattern = /^\d{4}-\d{2}-\d{2}$/;
const dayMs = 24 * 60 * 60 * 1000;

/** `YYYY-MM-DD` in shape, whether or not such a day exists. */
export function hasIsoDateShape(text: string): boolean {
  return isoDatePattern.test(text);
}

/** Milliseconds of the day's UTC midnight; setUTCFullYear keeps years 0–99 as written. */
function utcMidnight(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `YYYY-MM-DD` of the UTC day holding `ms`. */
function isoOfUtc(ms: number): IsoDate {
  const date = new Date(ms);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` as IsoDate;
}

function partsOf(date: IsoDate): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is this month's last day.
  return new Date(utcMidnight(year, month + 1, 0)).getUTCDate();
}

/** A real calendar day written as `YYYY-MM-DD` (so 2025-02-30 and 2025-13-01 are refused). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string' || !isoDatePattern.test(value)) return false;
  const [year, month, day] = partsOf(value as IsoDate);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function dayNumber(date: IsoDate): number {
  const [year, month, day] = partsOf(date);
  return Math.round(utcMidnight(year, month, day) / dayMs);
}

/** Today on the device's calendar. */
export function todayIso(clock: Clock): IsoDate {
  const now = new Date(clock.now());
  return isoOfUtc(utcMidnight(now.getFullYear(), now.getMonth() + 1, now.getDate()));
}

/** Whole days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return isoOfUtc((dayNumber(date) + Math.trunc(days)) * dayMs);
}

/** 29 February plus one year is 28 February (clamped to the month's last day). */
export function addYears(date: IsoDate, years: number): IsoDate {
  const [year, month, day] = partsOf(date);
  const target = year + Math.trunc(years);
  return isoOfUtc(utcMidnight(target, month, Math.min(day, daysInMonth(target, month))));
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
