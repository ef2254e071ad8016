/**
 * The cells a report screen shows for one indicator, as data: the total, each sex, each coarse
 * age, each 5-year band × sex. The same key names a cell of the counts (any device) and the
 * patients behind it (the facility's own device only), so "every number opens the list of
 * patients it counts" reads the very list the number was counted from.
 */
import type { IndicatorCounts } from '../crdt/report-doc';
import type { AgeBand, CoarseAge, Indicator } from '../domain/care/indicators';
import type { CtcId, Sex } from '../domain/types';

export type Split =
  | { kind: 'total' }
  | { kind: 'sex'; sex: Sex }
  | { kind: 'age'; age: CoarseAge }
  | { kind: 'band'; band: AgeBand; sex: Sex };

export function splitKey(split: Split): string {
  switch (split.kind) {
    case 'total':
      return 'total';
    case 'sex':
      return split.sex;
    case 'age':
      return split.age;
    case 'band':
      return `${split.band}/${split.sex}`;
  }
}

export function countAt(counts: IndicatorCounts, split: Split): number {
  switch (split.kind) {
    case 'total':
      return counts.total;
    case 'sex':
      return counts.bySex[split.sex];
    case 'age':
      return counts.byAge[split.age];
    case 'band':
      return counts.byBand[split.band][split.sex];
  }
}

export function patientsAt(indicator: Indicator, split: Split): readonly CtcId[] {
  switch (split.kind) {
    case 'total':
      return indicator.total;
    case 'sex':
      return indicator.bySex[split.sex];
    case 'age':
      return indicator.byAge[split.age];
    case 'band':
      return indicator.byBand[split.band][split.sex];
  }
}

/** A month as words ("March 2026", "Machi 2026"), read as a calendar month in UTC. */
export function monthLabel(month: string, lang: 'en' | 'sw'): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  if (!y || !m) return month;
  return new Intl.DateTimeFormat(lang === 'sw' ? 'sw' : 'en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(Date.UTC(y, m - 1, 1));
}
