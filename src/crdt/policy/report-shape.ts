/**
 * RP2–RP4 (docs/protocol.md §24, decision 0026): what one month of a report document may hold.
 * Its own module so the update policy, which every start-up loads, carries the check but not the
 * rest of the report code (issue 9's first-screen budget); `report-doc.ts` reads with it too
 * (RP5).
 */
import type { Month } from '../../domain/care/monthly-report';
import type { Sex } from '../../domain/types';
import { isCalendarDate, isIsoDateTime } from '../entries';

export const reportMonthsRoot = 'months';
/** The layout version of one month's value; a newer one is skipped on read (RP5). */
export const reportLayout = 1;
/** RP3: no count is larger (a facility of a million patients is already absurd). */
export const maxReportCount = 1_000_000;
/** RP3: indicators one month may carry, known ones and a newer version's together. */
export const maxReportIndicators = 32;

/**
 * Layout 1 as stored: the indicators and splits of the monthly report (src/domain/care/
 * indicators.ts) when this layout was fixed. Written out here, not imported, so the policy every
 * start-up loads carries no labels (issue 9 budget) and a change to the domain's lists cannot
 * silently change what peers accept; a test holds them equal (report-doc.test.ts).
 */
export const layoutIndicators = [
  'new_enrolments',
  'new_on_art',
  'currently_on_art',
  'missed_appointments',
  'ltfu',
  'returned_to_care',
  'vl_tests_done',
  'vl_suppressed',
] as const;
export const layoutBands = [
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
const bandsUnder15: ReadonlySet<string> = new Set(['0-4', '5-9', '10-14']);
export const layoutSexes: readonly Sex[] = ['female', 'male'];
export const layoutAges = ['<15', '15+'] as const;
const ageBands = layoutBands;
const coarseAges = layoutAges;
const sexesInOrder = layoutSexes;
const indicatorIds = layoutIndicators;
type IndicatorId = (typeof layoutIndicators)[number];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= maxReportCount;
const hasExactly = (value: Record<string, unknown>, keys: readonly string[]) =>
  Object.keys(value).length === keys.length && keys.every((key) => Object.hasOwn(value, key));

/** RP2: a month key, `YYYY-MM` from 2000 to 2099. */
export function isReportMonth(value: unknown): boolean {
  return typeof value === 'string' && /^20\d\d-(0[1-9]|1[0-2])$/.test(value);
}

/** A new indicator a newer version may add: a short snake_case id (never a CTC ID). */
const isIndicatorKey = (key: string) => /^[a-z][a-z_]{0,39}$/.test(key);

/** RP3: one indicator's counts, each split adding up to the total. */
function indicatorProblem(value: unknown): string | undefined {
  if (!isRecord(value) || !hasExactly(value, ['total', 'bySex', 'byAge', 'byBand'])) {
    return 'not an indicator of counts';
  }
  const { total, bySex, byAge, byBand } = value;
  if (!isCount(total)) return 'total is not a count';
  if (
    !isRecord(bySex) ||
    !hasExactly(bySex, sexesInOrder) ||
    !sexesInOrder.every((s) => isCount(bySex[s]))
  ) {
    return 'bySex is not two counts';
  }
  if (
    !isRecord(byAge) ||
    !hasExactly(byAge, coarseAges) ||
    !coarseAges.every((a) => isCount(byAge[a]))
  ) {
    return 'byAge is not two counts';
  }
  if (!isRecord(byBand) || !hasExactly(byBand, ageBands)) return 'byBand is not the age bands';
  const bandSums: Record<Sex, number> = { female: 0, male: 0 };
  let under15 = 0;
  for (const band of ageBands) {
    const split = byBand[band];
    if (!isRecord(split) || !hasExactly(split, sexesInOrder))
      return `byBand.${band} is not two counts`;
    for (const sex of sexesInOrder) {
      const count = split[sex];
      if (!isCount(count)) return `byBand.${band}.${sex} is not a count`;
      bandSums[sex] += count;
      if (bandsUnder15.has(band)) under15 += count;
    }
  }
  const sexes = bySex as Record<Sex, number>;
  const ages = byAge as Record<'<15' | '15+', number>;
  if (sexes.female + sexes.male !== total) return 'bySex does not add up to the total';
  if (ages['<15'] + ages['15+'] !== total) return 'byAge does not add up to the total';
  if (bandSums.female !== sexes.female || bandSums.male !== sexes.male) {
    return 'byBand does not add up to bySex';
  }
  if (under15 !== ages['<15']) return 'the bands under 15 do not add up to byAge';
  return undefined;
}

/**
 * RP2–RP4: why a value may not stand for `month`'s figures, or undefined when it may. Only
 * numbers, dates and known or snake_case keys: there is no place a name or a CTC ID could sit.
 * A newer layout passes if it keeps this shape (peers store it; readers that do not know it
 * skip it, RP5).
 */
export function reportFiguresProblem(value: unknown, month: Month): string | undefined {
  if (
    !isRecord(value) ||
    !hasExactly(value, ['layout', 'end', 'computedAt', 'records', 'indicators'])
  ) {
    return 'not a month of report figures';
  }
  const { layout, end, computedAt, records, indicators } = value;
  if (typeof layout !== 'number' || !Number.isInteger(layout) || layout < 1 || layout > 1000) {
    return 'layout';
  }
  if (!isCalendarDate(end) || !(end as string).startsWith(`${month}-`))
    return 'end is not in the month';
  if (!isIsoDateTime(computedAt)) return 'computedAt';
  if (!isCount(records)) return 'records is not a count';
  if (!isRecord(indicators)) return 'indicators';
  const keys = Object.keys(indicators);
  if (keys.length > maxReportIndicators) return 'too many indicators';
  for (const id of indicatorIds) if (!Object.hasOwn(indicators, id)) return `no ${id}`;
  for (const key of keys) {
    if (!isIndicatorKey(key)) return 'an indicator key that is not an id';
    const problem = indicatorProblem(indicators[key]);
    if (problem) return `${key}: ${problem}`;
    const total = (indicators[key] as { total: number }).total;
    if (total > records) return `${key} counts more patients than the records`;
  }
  const ids = indicators as Record<IndicatorId, { total: number }>;
  if (ids.vl_suppressed.total > ids.vl_tests_done.total) return 'more suppressed than tested';
  return undefined;
}
