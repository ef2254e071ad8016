/**
 * The lists a clinic works from (issue 10, point 1): who is expected today and who already
 * came, who is due in the days ahead, and who is overdue, missed or lost to follow-up.
 *
 * - An appointment is on a list only while nobody has come back for it: a visit at any facility
 *   after it was set closes it (`appointmentState`, which also decides kept vs late).
 * - Patients whose status is died, transferred out or stopped are on no list.
 * - "Came today" is everyone with a visit today, at any facility, due or not: the day's
 *   attendance, which is what a clinic counts against "expected".
 * - Urgency: most days late first (an LTFU patient before a missed one before an overdue one,
 *   since the states are bands of days late), then the CTC ID so the order is stable.
 */
import { addDays } from '../dates';
import { appointmentState, daysLate, type AppointmentState } from '../follow-up';
import type { CtcId, FacilityCode, FollowUpPolicy, IsoDate } from '../types';
import { defaultFollowUpPolicy } from '../types';
import type { FollowUpSummary, TracingSummary } from './summary';

export type LateState = Extract<AppointmentState, 'overdue' | 'missed' | 'ltfu'>;

export interface FollowUpItem {
  ctcId: CtcId;
  name: string;
  phone?: string;
  appointmentDate?: IsoDate;
  /** Days since the appointment: 0 on the day, negative before it. */
  daysLate?: number;
  lastVisit?: { date: IsoDate; facilityCode: FacilityCode };
  lastTracing?: TracingSummary;
}

export interface FollowUpLists {
  today: { expected: FollowUpItem[]; came: FollowUpItem[] };
  tomorrow: FollowUpItem[];
  /** Due in the next 7 days after today (tomorrow included). */
  thisWeek: FollowUpItem[];
  overdue: FollowUpItem[];
  missed: FollowUpItem[];
  ltfu: FollowUpItem[];
  counts: {
    expectedToday: number;
    cameToday: number;
    tomorrow: number;
    thisWeek: number;
    overdue: number;
    missed: number;
    ltfu: number;
  };
}

/** Days after today that "this week" covers. */
export const weekAheadDays = 7;

const inCare = (s: FollowUpSummary) => s.status === 'active';

function itemOf(s: FollowUpSummary, today: IsoDate): FollowUpItem {
  const item: FollowUpItem = { ctcId: s.ctcId, name: `${s.givenName} ${s.familyName}` };
  if (s.phone !== undefined) item.phone = s.phone;
  if (s.appointment) {
    item.appointmentDate = s.appointment.date;
    item.daysLate = daysLate(s.appointment.date, today);
  }
  if (s.lastVisitDate !== undefined && s.lastVisitFacility !== undefined) {
    item.lastVisit = { date: s.lastVisitDate, facilityCode: s.lastVisitFacility };
  }
  if (s.lastTracing) item.lastTracing = s.lastTracing;
  return item;
}

const byUrgency = (a: FollowUpItem, b: FollowUpItem): number =>
  (b.daysLate ?? 0) - (a.daysLate ?? 0) || (a.ctcId < b.ctcId ? -1 : a.ctcId > b.ctcId ? 1 : 0);
const byDateThenId = (a: FollowUpItem, b: FollowUpItem): number =>
  (a.appointmentDate ?? '') < (b.appointmentDate ?? '')
    ? -1
    : (a.appointmentDate ?? '') > (b.appointmentDate ?? '')
      ? 1
      : a.ctcId < b.ctcId
        ? -1
        : a.ctcId > b.ctcId
          ? 1
          : 0;

/** Appointments nobody has come back for, with their state today. */
function open(summaries: readonly FollowUpSummary[], today: IsoDate, policy: FollowUpPolicy) {
  const out: Array<{ summary: FollowUpSummary; state: AppointmentState }> = [];
  for (const s of summaries) {
    if (!inCare(s) || !s.appointment || s.appointment.visitAfterSchedule !== undefined) continue;
    out.push({ summary: s, state: appointmentState(s.appointment.date, undefined, today, policy) });
  }
  return out;
}

/** Patients due on the days `from` … `to` (inclusive), by date then CTC ID. */
export function dueBetween(
  summaries: readonly FollowUpSummary[],
  from: IsoDate,
  to: IsoDate,
  today: IsoDate,
): FollowUpItem[] {
  return summaries
    .filter(
      (s) =>
        inCare(s) &&
        s.appointment !== undefined &&
        s.appointment.visitAfterSchedule === undefined &&
        s.appointment.date >= from &&
        s.appointment.date <= to,
    )
    .map((s) => itemOf(s, today))
    .sort(byDateThenId);
}

/** Patients due on a chosen day (planning refills and tracing). */
export function dueOn(summaries: readonly FollowUpSummary[], day: IsoDate, today: IsoDate) {
  return dueBetween(summaries, day, day, today);
}

export function followUpLists(
  summaries: readonly FollowUpSummary[],
  today: IsoDate,
  policy: FollowUpPolicy = defaultFollowUpPolicy,
): FollowUpLists {
  const late: Record<LateState, FollowUpItem[]> = { overdue: [], missed: [], ltfu: [] };
  const expected: FollowUpItem[] = [];
  for (const { summary, state } of open(summaries, today, policy)) {
    if (state === 'due_today') expected.push(itemOf(summary, today));
    else if (state === 'overdue' || state === 'missed' || state === 'ltfu') {
      late[state].push(itemOf(summary, today));
    }
  }
  const came = summaries
    .filter((s) => inCare(s) && s.lastVisitDate === today)
    .map((s) => itemOf(s, today))
    .sort(byDateThenId);
  const tomorrow = dueOn(summaries, addDays(today, 1), today);
  const thisWeek = dueBetween(summaries, addDays(today, 1), addDays(today, weekAheadDays), today);
  expected.sort(byDateThenId);
  for (const list of Object.values(late)) list.sort(byUrgency);
  return {
    today: { expected, came },
    tomorrow,
    thisWeek,
    ...late,
    counts: {
      expectedToday: expected.length,
      cameToday: came.length,
      tomorrow: tomorrow.length,
      thisWeek: thisWeek.length,
      overdue: late.overdue.length,
      missed: late.missed.length,
      ltfu: late.ltfu.length,
    },
  };
}
