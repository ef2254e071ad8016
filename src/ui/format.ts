/**
 * How values are written on screen. Dates stay `YYYY-MM-DD` everywhere: the earlier system's
 * mixed date formats caused wrong entries, and this form reads the same in both languages.
 */
import { systemClock } from '../lib/deps';
import { todayIso } from '../domain/dates';
import type { IsoDate } from '../domain/types';

export { formatCtcId } from '../domain/ctc-id';

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (value: number) => String(value).padStart(2, '0');
  const day = `${String(date.getFullYear()).padStart(4, '0')}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  return `${day} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

export function today(): IsoDate {
  return todayIso(systemClock);
}

/** Completed years between a birth date and today. */
export function ageInYears(birthDate: IsoDate, on: IsoDate): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [ty, tm, td] = on.split('-').map(Number);
  if (!by || !bm || !bd || !ty || !tm || !td) return 0;
  const hadBirthday = tm > bm || (tm === bm && td >= bd);
  return ty - by - (hadBirthday ? 0 : 1);
}

export function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/**
 * A day inside a sentence a clinician reads (an alert's reason: "on 4 Mar 2026"); forms,
 * lists and the timeline keep YYYY-MM-DD. Read as a calendar day, so no time zone moves it.
 */
export function formatDayInText(day: string, lang: 'en' | 'sw'): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !Number.isFinite(ms)) return day;
  return new Intl.DateTimeFormat(lang === 'sw' ? 'sw' : 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(ms);
}

/**
 * A count or a measurement with the reader's digit grouping from five digits on ("12,400",
 * "1000"): a four-digit threshold reads as the guideline writes it.
 */
export function formatNumber(value: number, lang: 'en' | 'sw'): string {
  return new Intl.NumberFormat(lang === 'sw' ? 'sw' : 'en-GB', { useGrouping: 'min2' }).format(
    value,
  );
}
