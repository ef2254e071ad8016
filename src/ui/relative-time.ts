/**
 * "3 minutes ago": how long since something was heard, in whole units a person reads at a
 * glance. The exact date and time is shown beside it where it matters.
 */
import type { Translate } from './i18n/keys';

export type Age = { unit: 'now' } | { unit: 'minutes' | 'hours' | 'days'; count: number };

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** Undefined for a time that cannot be read. A time ahead of this device's clock is "now". */
export function ageOf(iso: string, nowMs: number): Age | undefined {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return undefined;
  const elapsed = nowMs - then;
  if (elapsed < minute) return { unit: 'now' };
  if (elapsed < hour) return { unit: 'minutes', count: Math.floor(elapsed / minute) };
  if (elapsed < day) return { unit: 'hours', count: Math.floor(elapsed / hour) };
  return { unit: 'days', count: Math.floor(elapsed / day) };
}

export function relativeTime(iso: string, nowMs: number, t: Translate): string {
  const age = ageOf(iso, nowMs);
  if (!age) return iso;
  switch (age.unit) {
    case 'now':
      return t('time.justNow');
    case 'minutes':
      return t('time.minutesAgo', { count: age.count });
    case 'hours':
      return t('time.hoursAgo', { count: age.count });
    case 'days':
      return t('time.daysAgo', { count: age.count });
  }
}
