/**
 * The numbers the charts draw (issue 10 point 4), as pure functions so they are tested without a
 * canvas: the record's viral-load and weight points, the log-scale floor, the month axis, and the
 * monthly suppression and retention percentages a report trend shows. The chart components
 * (./RecordCharts.svelte, ./TrendChart.svelte) only hand these to uPlot and to their tables.
 */
import type { CareFacts } from '../../domain/care/record';
import { defaultCarePolicy, type CarePolicy } from '../../domain/care/policy';
import type { IndicatorId } from '../../domain/care/indicators';
import type { Month } from '../../domain/care/monthly-report';
import type { IsoDate } from '../../domain/types';

/**
 * The lowest value the viral-load axis shows: 20 copies/mL, the lower detection limit of the
 * common assays. A log axis cannot show 0, and "not detected" is entered as 0 (or as a value
 * under the assay's limit), so such a result is drawn ON the floor line — at the bottom, below
 * both thresholds, where "as low as can be measured" belongs — and the table beside the chart
 * gives the value as entered ("not detected" for 0, "< 20" otherwise).
 */
export const vlLogFloor = 20;

/** The two lines drawn across the viral-load chart, from the care policy (copies/mL). */
export function vlThresholds(policy: CarePolicy = defaultCarePolicy): {
  unsuppressed: number;
  lowLevel: number;
} {
  return { unsuppressed: policy.unsuppressedFrom, lowLevel: policy.lowLevelFrom };
}

export type VlState = 'suppressed' | 'low_level' | 'unsuppressed';

/** Below the low-level line: suppressed; from it up to the unsuppressed line: low-level viraemia. */
export function vlStateOf(copies: number, policy: CarePolicy = defaultCarePolicy): VlState {
  if (copies >= policy.unsuppressedFrom) return 'unsuppressed';
  if (copies >= policy.lowLevelFrom) return 'low_level';
  return 'suppressed';
}

export interface VlPoint {
  date: IsoDate;
  /** As entered, copies/mL (0 = not detected). */
  copies: number;
  /** What the log axis draws: the value, or the floor for a result below it. */
  plotted: number;
  belowFloor: boolean;
  state: VlState;
}

/** One point per viral-load result, by sample date (the day the virus was measured). */
export function vlPoints(facts: CareFacts, policy: CarePolicy = defaultCarePolicy): VlPoint[] {
  return facts.viralLoads.map((vl) => ({
    date: vl.sampleDate,
    copies: vl.copies,
    plotted: Math.max(vl.copies, vlLogFloor),
    belowFloor: vl.copies < vlLogFloor,
    state: vlStateOf(vl.copies, policy),
  }));
}

export interface WeightPoint {
  date: IsoDate;
  kg: number;
}

/** The weight recorded at each visit that has one, in visit order. */
export function weightPoints(facts: CareFacts): WeightPoint[] {
  const out: WeightPoint[] = [];
  for (const visit of facts.visits) {
    const kg = visit.data.weightKg;
    if (kg !== undefined) out.push({ date: visit.data.date, kg });
  }
  return out;
}

/** Seconds since 1970 at the day's UTC midnight: uPlot's time axis unit. */
export const dayToSeconds = (day: IsoDate): number => Date.parse(`${day}T00:00:00Z`) / 1000;

/** The log axis' range: from the floor up to the power of ten at or above the highest value (at least 10,000). */
export function vlAxisRange(points: readonly VlPoint[]): [number, number] {
  const top = Math.max(10_000, ...points.map((p) => p.plotted));
  return [vlLogFloor, 10 ** Math.ceil(Math.log10(top) - 1e-9)];
}

/** "Mar 2026" / "Mac 2026": the month's short name in the language, and the year. */
export function monthLabel(month: Month, lang: 'en' | 'sw'): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const name = new Intl.DateTimeFormat(lang, { month: 'short', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, 1)),
  );
  return `${name} ${y}`;
}

/** The `count` months ending with `last`, oldest first (`YYYY-MM`). */
export function monthsEnding(last: Month, count: number): Month[] {
  const [y, m] = last.split('-').map(Number) as [number, number];
  const out: Month[] = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    const index = y * 12 + (m - 1) - i;
    out.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

export interface MonthPoint {
  month: Month;
  value: number | null;
}

const percent = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((1000 * part) / whole) / 10 : null;

/**
 * A month's figures: a full `MonthlyReport` (CTC ID lists) or the counts a facility published
 * (src/crdt/report-doc.ts `ReportFigures`), so district trends use the same definitions.
 */
export interface MonthFigures {
  month: Month;
  indicators: Record<IndicatorId, { total: readonly unknown[] | number }>;
}

const n = (figures: MonthFigures, id: IndicatorId): number => {
  const total = figures.indicators[id].total;
  return typeof total === 'number' ? total : total.length;
};

/** One value per month from that month's report and the one before it (null: a gap). */
function perMonth(
  reports: readonly MonthFigures[],
  months: readonly Month[],
  value: (report: MonthFigures, before: MonthFigures | undefined) => number | null,
): MonthPoint[] {
  const reportOf = new Map(reports.map((r) => [r.month, r] as const));
  return months.map((month) => {
    const r = reportOf.get(month);
    return { month, value: r ? value(r, reportOf.get(monthsEnding(month, 2)[0]!)) : null };
  });
}

/**
 * Viral-load suppression per month: of the patients with a viral-load result dated in the
 * month, the share whose latest result is < 1000 (vl_suppressed ÷ vl_tests_done, one decimal).
 * No test in the month, or no report for it: null (a gap, never 0 %).
 */
export const suppressionByMonth = (reports: readonly MonthFigures[], months: readonly Month[]) =>
  perMonth(reports, months, (r) => percent(n(r, 'vl_suppressed'), n(r, 'vl_tests_done')));

/**
 * Retention in care per month, in percent (one decimal):
 *
 *   currently on ART at the month's end
 *   ÷ (currently on ART at the end of the month before + new on ART in the month
 *      + returned to care in the month)
 *
 * The denominator is everyone the clinic had, or gained, on ART during the month; those it
 * lost (died, transferred out, stopped, became LTFU) are what is missing from the numerator.
 * Returns to care are in the denominator so a month with many returns cannot read above 100 %
 * from them. Without the month before's report (the first month of the list, or a missing
 * month), or with an empty denominator, the value is null (a gap).
 */
export const retentionByMonth = (reports: readonly MonthFigures[], months: readonly Month[]) =>
  perMonth(reports, months, (r, before) =>
    before
      ? percent(
          n(r, 'currently_on_art'),
          n(before, 'currently_on_art') + n(r, 'new_on_art') + n(r, 'returned_to_care'),
        )
      : null,
  );

/** The `YYYY-MM` of a uPlot time value (seconds), for month tick labels. */
export const monthOfSeconds = (seconds: number): Month =>
  new Date(seconds * 1000).toISOString().slice(0, 7);

/** Time-axis labels: the month at its first tick, blank at the next ticks of the same month. */
export function monthTicks(splits: readonly number[], lang: 'en' | 'sw'): string[] {
  return splits.map((s, i) => {
    const month = monthOfSeconds(s);
    const before = i > 0 ? monthOfSeconds(splits[i - 1]!) : undefined;
    return month === before ? '' : monthLabel(month, lang);
  });
}

/** A log axis labels its powers of ten only (its minor ticks 2…9 stay unlabelled). */
export const isDecade = (value: number): boolean =>
  value > 0 && Math.abs(Math.log10(value) - Math.round(Math.log10(value))) < 1e-9;
