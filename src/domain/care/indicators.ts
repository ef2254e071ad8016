/**
 * The indicators of the monthly facility report and their disaggregation (sex × age band), as
 * data with English and Swahili labels. The definitions are in ./monthly-report.ts.
 */
import type { CtcId, Sex } from '../types';
import type { Label } from '../vocab/label';

export const indicatorLabels = {
  new_enrolments: { en: 'New enrolments', sw: 'Waliosajiliwa wapya' },
  new_on_art: { en: 'New on ART', sw: 'Walioanza ARV' },
  currently_on_art: { en: 'Currently on ART', sw: 'Wanaotumia ARV sasa' },
  missed_appointments: { en: 'Missed appointments', sw: 'Waliokosa miadi' },
  ltfu: { en: 'Lost to follow-up', sw: 'Waliopotea kwenye ufuatiliaji' },
  returned_to_care: { en: 'Returned to care', sw: 'Waliorudi kwenye huduma' },
  vl_tests_done: { en: 'Viral load tests done', sw: 'Vipimo vya wingi wa virusi' },
  vl_suppressed: { en: 'Viral load suppressed (< 1000)', sw: 'Virusi vimedhibitiwa (< 1000)' },
} as const satisfies Record<string, Label>;

export type IndicatorId = keyof typeof indicatorLabels;
export const indicatorIds = Object.keys(indicatorLabels) as IndicatorId[];

/** Five-year bands, the last open-ended; each falls wholly in `< 15` or `15+`. */
export const ageBands = [
  '0-4',
  '5-9',
  '10-14',
  '15-19',
  '20-24',
  '25-29',
  '30-34',
  '35-39',
  '40-44',
  '45-49',
  '50+',
] as const;
export type AgeBand = (typeof ageBands)[number];
export type CoarseAge = '<15' | '15+';
export const coarseAges: readonly CoarseAge[] = ['<15', '15+'];
export const sexesInOrder: readonly Sex[] = ['female', 'male'];

export const ageBandLabels: Record<AgeBand | CoarseAge, Label> = {
  ...(Object.fromEntries(
    ageBands.map((band) => [
      band,
      band === '50+'
        ? { en: '50+ years', sw: 'Miaka 50+' }
        : { en: `${band} years`, sw: `Miaka ${band}` },
    ]),
  ) as Record<AgeBand, Label>),
  '<15': { en: 'Under 15', sw: 'Chini ya miaka 15' },
  '15+': { en: '15 and over', sw: 'Miaka 15 na zaidi' },
};

export function ageBandOf(age: number): AgeBand {
  const index = Math.min(Math.floor(Math.max(age, 0) / 5), ageBands.length - 1);
  return ageBands[index] as AgeBand;
}

export const coarseAgeOf = (age: number): CoarseAge => (age < 15 ? '<15' : '15+');

/** One number of the report, with every CTC ID it counts, split every way it is shown. */
export interface Indicator {
  total: CtcId[];
  bySex: Record<Sex, CtcId[]>;
  byAge: Record<CoarseAge, CtcId[]>;
  byBand: Record<AgeBand, Record<Sex, CtcId[]>>;
}

export function emptyIndicator(): Indicator {
  const byBand = {} as Record<AgeBand, Record<Sex, CtcId[]>>;
  for (const band of ageBands) byBand[band] = { female: [], male: [] };
  return { total: [], bySex: { female: [], male: [] }, byAge: { '<15': [], '15+': [] }, byBand };
}

export function countInto(ind: Indicator, ctcId: CtcId, sex: Sex, age: number): void {
  ind.total.push(ctcId);
  ind.bySex[sex].push(ctcId);
  ind.byAge[coarseAgeOf(age)].push(ctcId);
  ind.byBand[ageBandOf(age)][sex].push(ctcId);
}

const sorted = (ids: CtcId[]): CtcId[] => ids.sort();

/** Every list in CTC ID order, so two reports of the same data compare equal. */
export function sortIndicator(ind: Indicator): Indicator {
  sorted(ind.total);
  for (const sex of sexesInOrder) sorted(ind.bySex[sex]);
  for (const age of coarseAges) sorted(ind.byAge[age]);
  for (const band of ageBands) for (const sex of sexesInOrder) sorted(ind.byBand[band][sex]);
  return ind;
}

/** Indicators added list by list (facilities into a district). */
export function sumIndicators(parts: readonly Indicator[]): Indicator {
  const sum = emptyIndicator();
  for (const part of parts) {
    sum.total.push(...part.total);
    for (const sex of sexesInOrder) sum.bySex[sex].push(...part.bySex[sex]);
    for (const age of coarseAges) sum.byAge[age].push(...part.byAge[age]);
    for (const band of ageBands) {
      for (const sex of sexesInOrder) sum.byBand[band][sex].push(...part.byBand[band][sex]);
    }
  }
  return sortIndicator(sum);
}
