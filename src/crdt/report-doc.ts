/**
 * A facility's published monthly reports (issue 10 point 6, decision 0026): figures only, so
 * every device of the network, a supervisor's too, sees every facility's numbers without holding
 * one patient record or identifier.
 *   meta    Y.Map  schema, kind ('report'), facilityCode
 *   months  Y.Map<'YYYY-MM', ReportFiguresValue>  one plain value per month, replaced whole when
 *           the facility's device recomputes it (overwriting a key inserts a new item, so state
 *           vectors move and peers that were away learn of it).
 *
 * The same shape check (`reportFiguresProblem`) runs in the update policy (what a peer may
 * send, RP2–RP4) and on every read (a month stored before this version, or by a newer peer
 * with a layout we do not know, is skipped and counted, never shown as a number: RP5).
 */
import type * as Y from 'yjs';
import {
  ageBands,
  indicatorIds,
  type AgeBand,
  type CoarseAge,
  type Indicator,
  type IndicatorId,
} from '../domain/care/indicators';
import type { MonthlyReport, Month } from '../domain/care/monthly-report';
import type { FacilityCode, IsoDate, IsoDateTime, Sex } from '../domain/types';
import {
  isReportMonth,
  reportFiguresProblem,
  reportLayout,
  reportMonthsRoot,
} from './policy/report-shape';
import { currentSchemaVersion } from './schema';

export {
  isReportMonth,
  reportFiguresProblem,
  reportLayout,
  reportMonthsRoot,
} from './policy/report-shape';

/** One indicator as counts: the `Indicator` of the domain with every CTC ID list replaced by its length. */
export interface IndicatorCounts {
  total: number;
  bySex: Record<Sex, number>;
  byAge: Record<CoarseAge, number>;
  byBand: Record<AgeBand, Record<Sex, number>>;
}

/** One month of one facility, as published. */
export interface ReportFigures {
  month: Month;
  /** The day the figures were read on (the month's last day, or the day computed within it). */
  end: IsoDate;
  computedAt: IsoDateTime;
  /** Patient records of the facility the device held when it computed them. */
  records: number;
  indicators: Record<IndicatorId, IndicatorCounts>;
}

/** What a month holds in the document (the month itself is the key). */
type ReportFiguresValue = Omit<ReportFigures, 'month'> & { layout: number };

export interface ReadReports {
  facility: FacilityCode | undefined;
  months: Map<Month, ReportFigures>;
  /** Months whose value failed the shape check or has a newer layout (RP5). */
  skipped: number;
}

export const reportMonths = (doc: Y.Doc) => doc.getMap<unknown>(reportMonthsRoot);

export function initReportDoc(doc: Y.Doc, facility: FacilityCode): void {
  const meta = doc.getMap('meta');
  if (meta.get('schema') === undefined) meta.set('schema', currentSchemaVersion);
  if (meta.get('kind') === undefined) meta.set('kind', 'report');
  if (meta.get('facilityCode') === undefined) meta.set('facilityCode', facility);
}

export function countsOf(indicator: Indicator): IndicatorCounts {
  const byBand = {} as Record<AgeBand, Record<Sex, number>>;
  for (const band of ageBands) {
    byBand[band] = {
      female: indicator.byBand[band].female.length,
      male: indicator.byBand[band].male.length,
    };
  }
  return {
    total: indicator.total.length,
    bySex: { female: indicator.bySex.female.length, male: indicator.bySex.male.length },
    byAge: { '<15': indicator.byAge['<15'].length, '15+': indicator.byAge['15+'].length },
    byBand,
  };
}

/** The figures of a computed report: counts only (no CTC ID leaves the device in a report). */
export function figuresOf(
  report: MonthlyReport,
  computedAt: IsoDateTime,
  records: number,
): ReportFigures {
  const indicators = Object.fromEntries(
    indicatorIds.map((id) => [id, countsOf(report.indicators[id])]),
  ) as Record<IndicatorId, IndicatorCounts>;
  return { month: report.month, end: report.end, computedAt, records, indicators };
}

function valueOf(figures: ReportFigures): ReportFiguresValue {
  return {
    layout: reportLayout,
    end: figures.end,
    computedAt: figures.computedAt,
    records: figures.records,
    indicators: figures.indicators,
  };
}

/** Whether two publications say the same (when they were computed aside). */
export function sameFigures(a: ReportFigures, b: ReportFigures): boolean {
  return (
    a.month === b.month &&
    a.end === b.end &&
    a.records === b.records &&
    JSON.stringify(a.indicators, indicatorKeyOrder) ===
      JSON.stringify(b.indicators, indicatorKeyOrder)
  );
}

/** Serialises objects with sorted keys, so key order never makes two equal figures differ. */
function indicatorKeyOrder(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  );
}

/**
 * Sets a month's figures unless the document already says the same; true when it wrote. An
 * idle device recomputing the same numbers writes nothing (so it sends nothing either).
 */
export function writeReportMonth(doc: Y.Doc, figures: ReportFigures): boolean {
  const current = readMonth(reportMonths(doc).get(figures.month), figures.month);
  if (current && sameFigures(current, figures)) return false;
  reportMonths(doc).set(figures.month, valueOf(figures));
  return true;
}

function readMonth(value: unknown, month: Month): ReportFigures | undefined {
  if (reportFiguresProblem(value, month) !== undefined) return undefined;
  const v = value as ReportFiguresValue;
  if (v.layout !== reportLayout) return undefined;
  // Only the indicators this version knows; a newer one's extras stay in the document.
  const indicators = Object.fromEntries(indicatorIds.map((id) => [id, v.indicators[id]])) as Record<
    IndicatorId,
    IndicatorCounts
  >;
  return { month, end: v.end, computedAt: v.computedAt, records: v.records, indicators };
}

/** Every month the document holds, each checked (RP5). */
export function readReportDoc(doc: Y.Doc): ReadReports {
  const facility = doc.getMap('meta').get('facilityCode');
  const months = new Map<Month, ReportFigures>();
  let skipped = 0;
  for (const [key, value] of reportMonths(doc).entries()) {
    const figures = isReportMonth(key) ? readMonth(value, key) : undefined;
    if (figures) months.set(key, figures);
    else skipped += 1;
  }
  return {
    facility: typeof facility === 'string' ? (facility as FacilityCode) : undefined,
    months,
    skipped,
  };
}
