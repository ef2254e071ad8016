/**
 * Counts-only arithmetic over published report figures (decision 0026): the district sums and
 * the months a screen shows. The domain's `districtReport` adds CTC ID lists; a supervisor holds
 * only counts, so this adds counts the same way, split by split (facilities never share a
 * patient, monthly-report.ts, so a plain sum never double counts).
 */
import { ageBands, coarseAges, indicatorIds, sexesInOrder } from '../domain/care/indicators';
import type { IndicatorId } from '../domain/care/indicators';
import { monthBounds, type Month } from '../domain/care/monthly-report';
import type { IsoDate, IsoDateTime } from '../domain/types';
import type { IndicatorCounts, ReportFigures } from '../crdt/report-doc';

// The screens read published figures through the app layer (ui may not import crdt).
export type { IndicatorCounts, ReportFigures } from '../crdt/report-doc';
export { countsOf } from '../crdt/report-doc';

export function emptyCounts(): IndicatorCounts {
  const byBand = {} as IndicatorCounts['byBand'];
  for (const band of ageBands) byBand[band] = { female: 0, male: 0 };
  return { total: 0, bySex: { female: 0, male: 0 }, byAge: { '<15': 0, '15+': 0 }, byBand };
}

function addInto(sum: IndicatorCounts, part: IndicatorCounts): void {
  sum.total += part.total;
  for (const sex of sexesInOrder) sum.bySex[sex] += part.bySex[sex];
  for (const age of coarseAges) sum.byAge[age] += part.byAge[age];
  for (const band of ageBands) {
    for (const sex of sexesInOrder) sum.byBand[band][sex] += part.byBand[band][sex];
  }
}

/** The figures of several facilities for one month, added; undefined when none published it. */
export function sumFigures(
  parts: readonly ReportFigures[],
  month: Month,
): ReportFigures | undefined {
  const ofMonth = parts.filter((p) => p.month === month);
  if (ofMonth.length === 0) return undefined;
  const indicators = Object.fromEntries(indicatorIds.map((id) => [id, emptyCounts()])) as Record<
    IndicatorId,
    IndicatorCounts
  >;
  let records = 0;
  for (const part of ofMonth) {
    records += part.records;
    for (const id of indicatorIds) addInto(indicators[id], part.indicators[id]);
  }
  const latest = (values: string[]) => values.sort().at(-1) as string;
  return {
    month,
    end: latest(ofMonth.map((p) => p.end)) as IsoDate,
    computedAt: latest(ofMonth.map((p) => p.computedAt)) as IsoDateTime,
    records,
    indicators,
  };
}

/** `YYYY-MM` of a day. */
export const monthOf = (day: IsoDate): Month => day.slice(0, 7);

/** The month before `month`. */
export function previousMonth(month: Month): Month {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The `count` months ending with `month`, oldest first. */
export function monthsEnding(month: Month, count: number): Month[] {
  const out: Month[] = [month];
  while (out.length < count) out.unshift(previousMonth(out[0] as Month));
  return out;
}

/** Whether `month` has ended by `today` (a past month's report is final, apart from late entries). */
export const monthEnded = (month: Month, today: IsoDate): boolean =>
  monthBounds(month).last < today;

/** A percentage of two counts, or null when there is nothing to divide by (never a made-up 0). */
export function percentOf(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;
}
