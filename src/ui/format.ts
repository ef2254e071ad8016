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
