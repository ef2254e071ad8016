/**
 * The monthly facility report (issue 10, point 5; domain.md "Reports").
 *
 * Where a patient counts: every indicator counts a patient at their **primary facility** (the
 * one that registered them), wherever the event happened. A visit or a test at another
 * facility of the network counts for the patient's own clinic; so each patient is in at most
 * one facility's report, and facility reports add up to the district's without double counting.
 *
 * The month runs from its first to its last day; `end` is its last day, or today when the
 * month is still running. Sex and age band are read on `end` (age in whole years). A patient
 * counts at most once per indicator. With the follow-up policy (grace G = 7, LTFU L = 28 days):
 *
 * - **new_enrolments** — the registration was written (its local day) in the month.
 * - **new_on_art** — the ART start date is in the month (the registered start date, else the
 *   first visit recorded as "start").
 * - **currently_on_art** — ART started on or before `end` (or, without a recorded start, a
 *   regimen was dispensed by then), status on `end` is active (not died,
 *   transferred out or stopped) and not lost to follow-up on `end` (the appointment in force
 *   then is more than L days past with no visit since it was set).
 * - **missed_appointments** — an appointment became missed in the month: its day + G + 1 falls
 *   in the month, no visit (any facility) came between the day it was set and its day + G, it
 *   had not been replaced by a later-set appointment before that day, and the patient was
 *   active then. Each appointment becomes missed on exactly one day, so it counts in one month.
 * - **ltfu** — likewise, an appointment's day + L + 1 falls in the month with no visit by its
 *   day + L: the patient became lost to follow-up in the month.
 * - **returned_to_care** — a visit in the month was the first one after an appointment that had
 *   reached LTFU (the visit came more than L days after it).
 * - **vl_tests_done** — a viral-load result is dated (result date) in the month, whatever the
 *   patient's status since (a test done before a transfer out was still done). A sample from
 *   an earlier month whose result came late counts in the month of its result. Results entered
 *   into the record later change the figure when the report is next computed.
 * - **vl_suppressed** — of those, the latest-sampled result dated in the month is < 1000
 *   copies/mL (the policy's unsuppressed threshold).
 *
 * Status changes and visits on or before `end` are what count; later entries are ignored, so
 * a past month's report reads the record as it stood at the month's end (apart from late
 * entries, which are dated by their clinical date, not by when they arrived).
 */
import { addDays } from '../dates';
import type { FacilityCode, FollowUpPolicy, IsoDate } from '../types';
import { defaultFollowUpPolicy } from '../types';
import {
  countInto,
  emptyIndicator,
  indicatorIds,
  sortIndicator,
  sumIndicators,
  type Indicator,
  type IndicatorId,
} from './indicators';
import { defaultCarePolicy, type CarePolicy } from './policy';
import { ageOn, appointmentsOf, statusOn, type CareFacts } from './record';

/** `YYYY-MM`. */
export type Month = string;

export interface MonthlyReport {
  /** A facility code, or `district` for a sum. */
  facility: FacilityCode | 'district';
  month: Month;
  /** The day the figures are read on: the month's last day, or today within the month. */
  end: IsoDate;
  indicators: Record<IndicatorId, Indicator>;
}

export interface ReportOptions {
  today: IsoDate;
  followUp?: FollowUpPolicy;
  care?: CarePolicy;
}

export function monthBounds(month: Month): { first: IsoDate; last: IsoDate } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return {
    first: `${month}-01` as IsoDate,
    last: `${month}-${String(days).padStart(2, '0')}` as IsoDate,
  };
}

/** Which indicators one patient counts in, for a month ending (as read) on `end`. */
export function patientIndicators(
  facts: CareFacts,
  month: Month,
  options: ReportOptions,
): Set<IndicatorId> {
  const { first, last } = monthBounds(month);
  const end = options.today < last ? options.today : last;
  const followUp = options.followUp ?? defaultFollowUpPolicy;
  const care = options.care ?? defaultCarePolicy;
  const inMonth = (day: IsoDate | undefined) => day !== undefined && day >= first && day <= end;
  const out = new Set<IndicatorId>();

  if (inMonth(facts.enrolledOn)) out.add('new_enrolments');
  const start = facts.artStart?.date;
  if (inMonth(start)) out.add('new_on_art');

  const appointments = appointmentsOf(facts, end);
  let ltfuOnEnd = false;
  appointments.forEach((appt, i) => {
    const replacedOn = appointments[i + 1]?.scheduledOn;
    // The day a late state begins; the appointment must still be in force and unanswered then.
    const lateFrom = (days: number): IsoDate | undefined => {
      const day = addDays(appt.date, days + 1);
      const answered = appt.visitAfter !== undefined && appt.visitAfter < day;
      const replaced = replacedOn !== undefined && replacedOn < day;
      return answered || replaced || statusOn(facts, day) !== 'active' ? undefined : day;
    };
    const missedOn = lateFrom(followUp.graceDays);
    const ltfuOn = lateFrom(followUp.ltfuDays);
    if (inMonth(missedOn)) out.add('missed_appointments');
    if (inMonth(ltfuOn)) out.add('ltfu');
    if (ltfuOn !== undefined && ltfuOn <= end && appt.visitAfter === undefined) {
      // Still unanswered at the month's end (only the last appointment can be).
      if (replacedOn === undefined) ltfuOnEnd = true;
    }
    if (ltfuOn !== undefined && appt.visitAfter !== undefined && inMonth(appt.visitAfter)) {
      out.add('returned_to_care');
    }
  });

  // On ART by `end`: the start date says so, or — when the start date was never recorded — a
  // regimen dispensed by then does (the patient is on ART even if the record cannot say since
  // when; new_on_art and the viral-load schedule stay unknown for them).
  const onArt =
    (start !== undefined && start <= end) ||
    facts.visits.some((v) => v.data.regimen !== undefined && v.data.date <= end);
  if (onArt && statusOn(facts, end) === 'active' && !ltfuOnEnd) {
    out.add('currently_on_art');
  }

  const resulted = facts.viralLoads.filter((vl) => inMonth(vl.resultDate));
  const latest = resulted.at(-1); // viralLoads are in sample order
  if (latest) {
    out.add('vl_tests_done');
    if (latest.copies < care.unsuppressedFrom) out.add('vl_suppressed');
  }
  return out;
}

/** The report of one facility: its patients are the records registered there. */
export function monthlyReport(
  patients: readonly CareFacts[],
  facility: FacilityCode,
  month: Month,
  options: ReportOptions,
): MonthlyReport {
  const { last } = monthBounds(month);
  const end = options.today < last ? options.today : last;
  const indicators = Object.fromEntries(indicatorIds.map((id) => [id, emptyIndicator()])) as Record<
    IndicatorId,
    Indicator
  >;
  for (const facts of patients) {
    if (facts.record.primaryFacility !== facility) continue;
    const counted = patientIndicators(facts, month, options);
    if (counted.size === 0) continue;
    const { ctcId, demographics } = facts.record;
    const age = ageOn(demographics.birthDate, end);
    for (const id of counted) countInto(indicators[id], ctcId, demographics.sex, age);
  }
  for (const id of indicatorIds) sortIndicator(indicators[id]);
  return { facility, month, end, indicators };
}

/** One report per facility that registered any of the patients, by facility code. */
export function facilityReports(
  patients: readonly CareFacts[],
  month: Month,
  options: ReportOptions,
): MonthlyReport[] {
  const facilities = [...new Set(patients.map((p) => p.record.primaryFacility))].sort();
  return facilities.map((facility) => monthlyReport(patients, facility, month, options));
}

/** The district: the facilities' reports added (they never share a patient, see above). */
export function districtReport(reports: readonly MonthlyReport[], month: Month): MonthlyReport {
  const ofMonth = reports.filter((r) => r.month === month);
  const ends = ofMonth.map((r) => r.end).sort();
  const indicators = Object.fromEntries(
    indicatorIds.map((id) => [id, sumIndicators(ofMonth.map((r) => r.indicators[id]))]),
  ) as Record<IndicatorId, Indicator>;
  return {
    facility: 'district',
    month,
    end: ends.at(-1) ?? monthBounds(month).last,
    indicators,
  };
}

/** The count of each indicator (what a table cell shows before it is opened). */
export function counts(report: MonthlyReport): Record<IndicatorId, number> {
  return Object.fromEntries(
    indicatorIds.map((id) => [id, report.indicators[id].total.length]),
  ) as Record<IndicatorId, number>;
}
