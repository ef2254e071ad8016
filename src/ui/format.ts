/**
 * How values are written on screen. Dates stay `YYYY-MM-DD` everywhere: the earlier system's
 * mixed date formats caused wrong entries, and this form reads the same in both languages.
 */
import { format } from 'date-fns';
import { systemClock } from '../lib/deps';
import { todayIso } from '../domain/dates';
import type { IsoDate } from '../domain/types';

export { formatCtcId } from '../domain/ctc-id';

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format(date, 'yyyy-MM-dd HH:mm');
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
