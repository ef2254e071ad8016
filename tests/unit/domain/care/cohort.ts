/**
 * The golden cohort (issue 10, point 8): patients covering every follow-up state, care rule and
 * report indicator edge, each with the expected lists, open alerts and March 2026 indicator
 * membership worked out by hand in the comment and the `expect` beside it.
 *
 * Reference day T = 2026-03-31 (a Tuesday), report month 2026-03 (1–31 March, so the month's
 * end is T). Follow-up policy: grace 7, LTFU 28. For an appointment on day d with no visit
 * since it was set: days late = T − d; overdue 1–7, missed 8–28, LTFU ≥ 29. It becomes missed
 * on d + 8 and lost to follow-up on d + 29 (the report's flow dates). February 2026 has 28 days.
 *
 * Unless a patient says otherwise ("std"): registered 2024-01-10 at A, ART start 2024-01-15,
 * one viral load 30 copies/mL sampled 2025-10-01 (resulted 2025-10-10; next routine test due
 * 2026-10-01, after T), born 1990-06-15 (35 on T: band 35-39), TB screen negative, and every
 * dispensing visit gives 30 days with the next appointment 28 days later (supply lasts).
 */
import { addDays } from '../../../../src/domain/dates';
import type { CareRecord } from '../../../../src/domain/care/record';
import type { AgeBand } from '../../../../src/domain/care/indicators';
import type { IndicatorId } from '../../../../src/domain/care/indicators';
import type {
  AlertAck,
  CtcId,
  Demographics,
  Entry,
  EntryId,
  EntryKind,
  EntryDataByKind,
  FacilityCode,
  IsoDate,
  IsoDateTime,
  LabResult,
  StatusChange,
  Tracing,
  Visit,
} from '../../../../src/domain/types';

export const T = '2026-03-31' as IsoDate;
export const month = '2026-03';
export const A = '01020001' as FacilityCode;
export const B = '01020002' as FacilityCode;
/** A facility that registers nobody in the cohort; its visits count for the home clinic. */
export const C = '01020003' as FacilityCode;

const d = (text: string) => text as IsoDate;

export type ListName =
  'expected' | 'came' | 'tomorrow' | 'thisWeek' | 'overdue' | 'missed' | 'ltfu';

export interface Expected {
  /** List → days late shown on it (negative: days ahead). */
  lists: Partial<Record<ListName, number>>;
  /** Open alerts as `ruleId/sentence`, in rule order. */
  alerts: string[];
  /** Alerts answered by an alert_ack entry. */
  answered?: string[];
  indicators: IndicatorId[];
  band: AgeBand;
}

export interface CohortPatient {
  n: number;
  ctcId: CtcId;
  facility: FacilityCode;
  record: CareRecord;
  expect: Expected;
}

// ---- builders (inputs only; nothing here computes an expected value) ----

let counter = 0;
const nextId = (tag: string) => `${tag}-${++counter}` as EntryId;

function entry<K extends EntryKind>(
  kind: K,
  day: string,
  facility: FacilityCode,
  data: EntryDataByKind[K],
  supersedes?: EntryId,
): Entry<K> {
  const e: Entry<K> = {
    id: nextId(kind),
    kind,
    stamp: {
      userId: 'u1' as Entry['stamp']['userId'],
      userName: 'Dr Test',
      role: 'clinician',
      deviceId: 'dev1' as Entry['stamp']['deviceId'],
      facilityCode: facility,
      // Midday UTC is the same calendar day from UTC−11 to UTC+11.
      at: `${day}T12:00:00.000Z` as IsoDateTime,
    },
    data,
  };
  if (supersedes !== undefined) e.supersedes = supersedes;
  return e;
}

interface VisitOptions extends Partial<Omit<Visit, 'date' | 'facilityCode'>> {
  at?: FacilityCode;
  /** Next appointment; `null` for none. Default: 28 days later. */
  next?: string | null;
  /** No regimen dispensed (and no appointment unless `next` says). */
  noDispense?: boolean;
  supersedes?: EntryId;
}

function visit(day: string, o: VisitOptions = {}, home: FacilityCode = A): Entry<'visit'> {
  const { at, next, noDispense, supersedes, ...rest } = o;
  const data: Visit = {
    date: d(day),
    facilityCode: at ?? home,
    visitType: 'clinic',
    tbScreen: 'negative',
    symptoms: [],
    arvStatus: 'continue',
    otherMedicines: [],
    investigationsOrdered: [],
    ...(noDispense ? {} : { regimen: '1r-A', daysSupplied: 30 as const }),
    ...rest,
  };
  const nextDay = next === undefined ? (noDispense ? null : addDays(d(day), 28)) : next;
  if (nextDay !== null) data.nextAppointment = d(nextDay);
  return entry('visit', day, data.facilityCode, data, supersedes);
}

function vl(
  sample: string,
  result: string,
  copies: number,
  at: FacilityCode = A,
  supersedes?: EntryId,
): Entry<'result'> {
  const data: LabResult = {
    investigation: 'viral_load',
    sampleDate: d(sample),
    resultDate: d(result),
    value: { kind: 'numeric', value: copies, unit: 'copies/mL' },
    facilityCode: at,
  };
  return entry('result', result, at, data, supersedes);
}

function xpert(sample: string, result: string): Entry<'result'> {
  return entry('result', result, A, {
    investigation: 'xpert',
    sampleDate: d(sample),
    resultDate: d(result),
    value: { kind: 'categorical', value: 'mtb_not_detected' },
    facilityCode: A,
  });
}

function status(day: string, s: StatusChange['status'], supersedes?: EntryId): Entry<'status'> {
  const data: StatusChange = { status: s, date: d(day) };
  if (s === 'transferred_out') data.toFacility = 'Mwananyamala CTC';
  return entry('status', day, A, data, supersedes);
}

function tracing(day: string, t: Omit<Tracing, 'date' | 'facilityCode'>): Entry<'tracing'> {
  return entry('tracing', day, A, { date: d(day), facilityCode: A, ...t });
}

function ack(day: string, a: Omit<AlertAck, 'date'>): Entry<'alert_ack'> {
  return entry('alert_ack', day, A, { date: d(day), ...a });
}

function reschedule(writtenOn: string, to: string): Entry<'appointment'> {
  return entry('appointment', writtenOn, A, { date: d(to), purpose: 'refill' });
}

const stdVl = () => vl('2025-10-01', '2025-10-10', 30);

interface PatientOptions {
  facility?: FacilityCode;
  sex?: Demographics['sex'];
  birthDate?: string;
  registered?: string;
  /** ART start in the registration; `null` for none recorded. */
  artStart?: string | null;
  phone?: string;
  /** Replace the standard viral load (pass [] for none). */
  vls?: Entry<'result'>[];
}

const patients: CohortPatient[] = [];

function patient(
  n: number,
  o: PatientOptions,
  entries: Entry[],
  expect: Omit<Expected, 'band'> & { band?: AgeBand },
): void {
  const facility = o.facility ?? A;
  const ctcId = `${facility}${String(n).padStart(6, '0')}` as CtcId;
  const demographics: Demographics = {
    givenName: `Given${n}`,
    familyName: `Family${n}`,
    sex: o.sex ?? (n % 2 === 0 ? 'female' : 'male'),
    birthDate: d(o.birthDate ?? '1990-06-15'),
    birthDateEstimated: false,
    phone: o.phone ?? `+2557000${String(n).padStart(5, '0')}`,
  };
  const art = o.artStart === undefined ? '2024-01-15' : o.artStart;
  if (art !== null) demographics.artStartDate = d(art);
  patients.push({
    n,
    ctcId,
    facility,
    record: {
      ctcId,
      primaryFacility: facility,
      registeredAt: `${o.registered ?? '2024-01-10'}T12:00:00.000Z` as IsoDateTime,
      demographics,
      entries: [...(o.vls ?? [stdVl()]), ...entries],
    },
    expect: { band: '35-39', ...expect },
  });
}

const none = { lists: {}, alerts: [] };
const CUR: IndicatorId = 'currently_on_art';

// ---- 1. Follow-up lists ----

// P1: due today (31 Mar), last seen 3 Mar: expected, 0 days late. Active on ART.
patient(1, {}, [visit('2026-03-03')], { lists: { expected: 0 }, alerts: [], indicators: [CUR] });
// P2: due today and came today (31 Mar visit sets 28 Apr): on "came", not "expected".
patient(2, {}, [visit('2026-03-03'), visit('2026-03-31')], {
  lists: { came: -28 },
  alerts: [],
  indicators: [CUR],
});
// P3: due 31 Mar, came early (29 Mar) at another facility C, which set 26 Apr: on no list;
// counts at A.
patient(3, {}, [visit('2026-03-03'), visit('2026-03-29', { at: C })], {
  ...none,
  indicators: [CUR],
});
// P4: due 20 Mar; seen on 22 Mar at C (within grace, no dispensing, no new appointment): the
// appointment is kept by a visit elsewhere. Supply question closed by that visit. Not missed
// (missed day 28 Mar, answered 22 Mar).
patient(4, {}, [visit('2026-02-20'), visit('2026-03-22', { at: C, noDispense: true })], {
  ...none,
  indicators: [CUR],
});
// P5: due 1 Apr: tomorrow and this week, 1 day ahead.
patient(5, {}, [visit('2026-03-04')], {
  lists: { tomorrow: -1, thisWeek: -1 },
  alerts: [],
  indicators: [CUR],
});
// P6: due 7 Apr = T + 7, the last day of "this week".
patient(6, {}, [visit('2026-03-10')], { lists: { thisWeek: -7 }, alerts: [], indicators: [CUR] });
// P7: due 8 Apr = T + 8: beyond the week (found by dueOn(8 Apr) only).
patient(7, {}, [visit('2026-03-11')], { ...none, indicators: [CUR] });
// P8: due 30 Mar: overdue, 1 day.
patient(8, {}, [visit('2026-03-02')], { lists: { overdue: 1 }, alerts: [], indicators: [CUR] });
// P9: due 24 Mar: overdue, 7 days (last day of grace). Missed only on 1 Apr: not in March.
patient(9, {}, [visit('2026-02-24')], { lists: { overdue: 7 }, alerts: [], indicators: [CUR] });
// P10: due 23 Mar: missed, 8 days; became missed on 31 Mar (in March).
patient(10, {}, [visit('2026-02-23')], {
  lists: { missed: 8 },
  alerts: [],
  indicators: ['missed_appointments', CUR],
});
// P11: due 3 Mar: missed, 28 days (last missed day); missed on 11 Mar; LTFU only on 1 Apr, so
// still currently on ART at the month's end.
patient(11, {}, [visit('2026-02-03')], {
  lists: { missed: 28 },
  alerts: [],
  indicators: ['missed_appointments', CUR],
});
// P12: due 2 Mar: LTFU, 29 days; missed on 10 Mar and LTFU on 31 Mar, both in March; LTFU on
// the month's end, so not currently on ART.
patient(12, {}, [visit('2026-02-02')], {
  lists: { ltfu: 29 },
  alerts: [],
  indicators: ['missed_appointments', 'ltfu'],
});
// P13: due 31 Jan: LTFU 59 days; missed on 8 Feb (February), LTFU on 1 Mar (March).
patient(13, {}, [visit('2026-01-03')], { lists: { ltfu: 59 }, alerts: [], indicators: ['ltfu'] });
// P14: due 30 Jan: LTFU 60 days; LTFU since 28 Feb: counted in February, nothing in March.
patient(14, {}, [visit('2026-01-02')], { lists: { ltfu: 60 }, alerts: [], indicators: [] });
// P15: due 20 Feb: LTFU 39 days (missed 28 Feb, LTFU 21 Mar); traced by phone on 25 Mar,
// reached, will return — shown on the list with the tracing.
patient(
  15,
  {},
  [
    visit('2026-01-23'),
    tracing('2026-03-25', { method: 'phone', reached: true, outcome: 'will_return' }),
  ],
  { lists: { ltfu: 39 }, alerts: [], indicators: ['ltfu'] },
);
// P16: due 22 Feb: LTFU 37 days (missed 2 Mar, LTFU 23 Mar, both March); home visit on
// 10 Mar, not found.
patient(
  16,
  {},
  [
    visit('2026-01-25'),
    tracing('2026-03-10', { method: 'home_visit', reached: false, outcome: 'not_found' }),
  ],
  { lists: { ltfu: 37 }, alerts: [], indicators: ['missed_appointments', 'ltfu'] },
);
// P17: due 10 Mar but died 15 Mar: on no list; the missed day (18 Mar) falls after death, so
// not a missed appointment; no alerts for the dead.
patient(17, {}, [visit('2026-02-10'), status('2026-03-15', 'died')], { ...none, indicators: [] });
// P18: due 1 Mar, transferred out 5 Mar (before the missed day, 9 Mar): nothing.
patient(18, {}, [visit('2026-02-01'), status('2026-03-05', 'transferred_out')], {
  ...none,
  indicators: [],
});
// P19: stopped treatment 12 Feb, due 20 Feb: nothing.
patient(19, {}, [visit('2026-01-23'), status('2026-02-12', 'stopped')], {
  ...none,
  indicators: [],
});
// P20: due 5 Mar, missed (13 Mar), came back 20 Mar (before LTFU) with a new appointment
// 17 Apr: a missed appointment in March, on no list now.
patient(20, {}, [visit('2026-02-05'), visit('2026-03-20')], {
  ...none,
  indicators: ['missed_appointments', CUR],
});
// P21: due 10 Jan, LTFU since 8 Feb, returned 15 Mar (new appointment 12 Apr): returned to
// care in March, and on ART at the month's end.
patient(21, {}, [visit('2025-12-13'), visit('2026-03-15')], {
  ...none,
  indicators: ['returned_to_care', CUR],
});
// P22: due 1 Feb, LTFU on 2 Mar, returned 25 Mar at facility C (new appointment 22 Apr): LTFU
// and returned in the same month, at another facility; counts at A.
patient(22, {}, [visit('2026-01-04'), visit('2026-03-25', { at: C })], {
  ...none,
  indicators: ['ltfu', 'returned_to_care', CUR],
});
// P23: due 15 Jan, LTFU 75 days (since 13 Feb); tracing says "attending another clinic", but
// no status change was recorded, so the patient stays on the LTFU list.
patient(
  23,
  {},
  [
    visit('2025-12-18'),
    tracing('2026-03-01', {
      method: 'treatment_supporter',
      reached: true,
      outcome: 'transferred_elsewhere',
    }),
  ],
  { lists: { ltfu: 75 }, alerts: [], indicators: [] },
);
// P24: 2 Mar visit set 16 Mar; a scheduling entry written 10 Mar moved it to 6 Apr: the 16 Mar
// appointment was replaced before it could be missed (24 Mar). Due in 6 days. The 30 days from
// 2 Mar run out on 1 Apr, before 6 Apr: supply alert.
patient(
  24,
  {},
  [visit('2026-03-02', { next: '2026-03-16' }), reschedule('2026-03-10', '2026-04-06')],
  {
    lists: { thisWeek: -6 },
    alerts: ['arv_supply/arv_supply'],
    indicators: [CUR],
  },
);
// P25: 3 Mar visit typed the appointment as 14 Apr, corrected (superseding entry) to 31 Mar:
// one appointment, due today. Read without the correction, the later date would win.
{
  const wrong = visit('2026-03-03', { next: '2026-04-14' });
  patient(25, {}, [wrong, visit('2026-03-03', { next: '2026-03-31', supersedes: wrong.id })], {
    lists: { expected: 0 },
    alerts: [],
    indicators: [CUR],
  });
}
// P26–P29: registered at B.
// P26: due today at B.
patient(26, { facility: B }, [visit('2026-03-03', {}, B)], {
  lists: { expected: 0 },
  alerts: [],
  indicators: [CUR],
});
// P27: due 28 Mar: overdue 3 days.
patient(27, { facility: B }, [visit('2026-02-28', {}, B)], {
  lists: { overdue: 3 },
  alerts: [],
  indicators: [CUR],
});
// P28: due 10 Mar: missed 21 days (missed on 18 Mar).
patient(28, { facility: B }, [visit('2026-02-10', {}, B)], {
  lists: { missed: 21 },
  alerts: [],
  indicators: ['missed_appointments', CUR],
});
// P29: due 25 Feb: LTFU 34 days; missed 5 Mar, LTFU 26 Mar.
patient(29, { facility: B }, [visit('2026-01-28', {}, B)], {
  lists: { ltfu: 34 },
  alerts: [],
  indicators: ['missed_appointments', 'ltfu'],
});
// P30: a legacy visit on 15 Mar dispensed ARVs without days supplied or an appointment: on no
// list; supply "unknown", never a guessed run-out date.
patient(30, {}, [visit('2026-03-15', { daysSupplied: undefined, next: null })], {
  lists: {},
  alerts: ['arv_supply/arv_supply.no_days'],
  indicators: [CUR],
});

// ---- 2. Decision support (a 23 Mar visit, next appointment 20 Apr, 30 days: on no list) ----

const seen = (o: VisitOptions = {}) => visit('2026-03-23', { next: '2026-04-20', ...o });

// P31: ART start 1 Sep 2025, no viral load: the first was due 1 Mar 2026 (6 months).
patient(31, { artStart: '2025-09-01', registered: '2025-09-01', vls: [] }, [seen()], {
  lists: {},
  alerts: ['vl_due/vl_due.first'],
  indicators: [CUR],
});
// P32: ART start 15 Oct 2025: first VL due 15 Apr 2026, after T: no alert.
patient(32, { artStart: '2025-10-15', registered: '2025-10-15', vls: [] }, [seen()], {
  ...none,
  indicators: [CUR],
});
// P33: ART start 10 Mar 2025; 6-month VL 12 Sep 2025 (before month 9, 10 Dec): the 12-month
// test was due 10 Mar 2026.
patient(
  33,
  { artStart: '2025-03-10', registered: '2025-03-10', vls: [vl('2025-09-12', '2025-09-20', 40)] },
  [seen()],
  { lists: {}, alerts: ['vl_due/vl_due.second'], indicators: [CUR] },
);
// P34: last VL 1 Mar 2025: the yearly test was due 1 Mar 2026.
patient(34, { vls: [vl('2025-03-01', '2025-03-08', 20)] }, [seen()], {
  lists: {},
  alerts: ['vl_due/vl_due.routine'],
  indicators: [CUR],
});
// P35: due 5 Mar 2026, ordered at the 23 Mar visit (8 days ago): awaiting the result.
patient(
  35,
  { vls: [vl('2025-03-05', '2025-03-12', 20)] },
  [seen({ investigationsOrdered: ['viral_load'] })],
  { lists: {}, alerts: ['vl_due/vl_due.awaiting'], indicators: [CUR] },
);
// P36: VL 12,400 sampled 10 Feb, resulted 2 Mar (late, in March): unsuppressed, repeat by
// 10 May. A test done in March, not suppressed. The yearly-due rule gives way to the repeat.
patient(36, { vls: [stdVl(), vl('2026-02-10', '2026-03-02', 12400)] }, [seen()], {
  lists: {},
  alerts: ['vl_unsuppressed/vl_unsuppressed'],
  indicators: [CUR, 'vl_tests_done'],
});
// P37: VL 5,000 on 20 Nov 2025: the repeat was due 20 Feb 2026 and is late.
patient(37, { vls: [stdVl(), vl('2025-11-20', '2025-12-01', 5000)] }, [seen()], {
  lists: {},
  alerts: ['vl_unsuppressed/vl_unsuppressed.repeat_due'],
  indicators: [CUR],
});
// P38: 8,000 (1 Sep 2025) then 3,500 (15 Dec 2025): consider a switch; the repeat after the
// second (15 Mar) is also late.
patient(
  38,
  { vls: [vl('2025-09-01', '2025-09-10', 8000), vl('2025-12-15', '2026-01-05', 3500)] },
  [seen()],
  {
    lists: {},
    alerts: ['vl_switch/vl_switch', 'vl_unsuppressed/vl_unsuppressed.repeat_due'],
    indicators: [CUR],
  },
);
// P39: as P38, but switched to second line on 20 Jan 2026 (appointment 20 Mar, kept by the
// 23 Mar visit within grace): no switch alert.
patient(
  39,
  { vls: [vl('2025-09-01', '2025-09-10', 8000), vl('2025-12-15', '2026-01-05', 3500)] },
  [visit('2026-01-20', { arvStatus: 'switch', regimen: '2f-A', next: '2026-03-20' }), seen()],
  { lists: {}, alerts: ['vl_unsuppressed/vl_unsuppressed.repeat_due'], indicators: [CUR] },
);
// P40: VL 400 on 5 Mar (resulted 12 Mar): low-level viraemia; done and suppressed (< 1000).
patient(40, { vls: [stdVl(), vl('2026-03-05', '2026-03-12', 400)] }, [seen()], {
  lists: {},
  alerts: ['vl_low_level/vl_low_level'],
  indicators: [CUR, 'vl_tests_done', 'vl_suppressed'],
});
// P41: VL 3 Mar entered as 15,000, corrected to 150: low-level viraemia, suppressed.
{
  const typo = vl('2026-03-03', '2026-03-10', 15000);
  patient(41, { vls: [stdVl(), typo, vl('2026-03-03', '2026-03-10', 150, A, typo.id)] }, [seen()], {
    lists: {},
    alerts: ['vl_low_level/vl_low_level'],
    indicators: [CUR, 'vl_tests_done', 'vl_suppressed'],
  });
}
// P42: pregnant at the 23 Mar visit, no viral load ever (ART since 1 Dec 2025, first VL due
// 1 Jun): the pregnancy rule fires, the schedule does not.
patient(
  42,
  { sex: 'female', artStart: '2025-12-01', registered: '2025-12-01', vls: [] },
  [seen({ pregnant: 'yes' })],
  { lists: {}, alerts: ['pregnant_vl/pregnant_vl.none'], indicators: [CUR] },
);
// P43: breastfeeding on 23 Mar; last VL 1 Aug 2025, more than 6 months before T (30 Sep 2025).
patient(
  43,
  { sex: 'female', vls: [vl('2025-08-01', '2025-08-10', 20)] },
  [seen({ pregnant: 'no', breastfeeding: 'yes' })],
  { lists: {}, alerts: ['pregnant_vl/pregnant_vl.old'], indicators: [CUR] },
);
// P44: pregnant on 23 Mar with a VL on 10 Jan 2026: recent enough, no alert.
patient(
  44,
  { sex: 'female', vls: [stdVl(), vl('2026-01-10', '2026-01-20', 20)] },
  [seen({ pregnant: 'yes' })],
  { ...none, indicators: [CUR] },
);
// P45: TB screen positive on 23 Mar, nothing ordered: investigate.
patient(45, {}, [seen({ tbScreen: 'positive' })], {
  lists: {},
  alerts: ['tb_investigate/tb_investigate'],
  indicators: [CUR],
});
// P46: TB screen positive with Xpert ordered at the same visit: no alert.
patient(46, {}, [seen({ tbScreen: 'positive', investigationsOrdered: ['xpert'] })], {
  ...none,
  indicators: [CUR],
});
// P47: positive on 2 Mar, negative on 23 Mar: the latest screen decides, no alert.
patient(47, {}, [visit('2026-03-02', { tbScreen: 'positive', noDispense: true }), seen()], {
  ...none,
  indicators: [CUR],
});
// P48: positive on 10 Mar; an Xpert sampled 12 Mar came back; 23 Mar screen not done: answered.
patient(
  48,
  {},
  [
    visit('2026-03-10', { tbScreen: 'positive', noDispense: true }),
    xpert('2026-03-12', '2026-03-14'),
    seen({ tbScreen: 'not_done' }),
  ],
  { ...none, indicators: [CUR] },
);
// P49: on ART (regimen dispensed) but no ART start recorded and no "start" visit: the VL
// schedule is unknown. Counted as currently on ART (dispensed), not as new on ART.
patient(49, { artStart: null, vls: [] }, [seen()], {
  lists: {},
  alerts: ['vl_due/vl_due.no_art_start'],
  indicators: [CUR],
});
// P50: as P34 (due 1 Mar 2026), overridden on 25 Mar with a reason: answered, not open.
patient(
  50,
  { vls: [vl('2025-03-01', '2025-03-08', 20)] },
  [
    seen(),
    ack('2026-03-25', {
      ruleId: 'vl_due',
      alertKey: 'vl_due:2026-03-01',
      action: 'override',
      reason: 'Sample taken at the district hospital on 20 Mar',
    }),
  ],
  { lists: {}, alerts: [], answered: ['vl_due/vl_due.routine'], indicators: [CUR] },
);
// P51: 4,000 on 1 Jun 2025 was acknowledged; 30 in Sep; 2,500 on 2 Mar 2026 (resulted 9 Mar)
// is a new fact under a new key: the alert is open again. Done in March, not suppressed.
{
  const first = vl('2025-06-01', '2025-06-08', 4000);
  patient(
    51,
    { vls: [first, vl('2025-09-05', '2025-09-15', 30), vl('2026-03-02', '2026-03-09', 2500)] },
    [
      seen(),
      ack('2025-06-10', {
        ruleId: 'vl_unsuppressed',
        alertKey: `vl_unsuppressed:${first.id}`,
        action: 'acknowledge',
        reason: 'Adherence counselling started',
      }),
    ],
    { lists: {}, alerts: ['vl_unsuppressed/vl_unsuppressed'], indicators: [CUR, 'vl_tests_done'] },
  );
}

// ---- 3. Report edges ----

// P52: registered 5 Mar, started ART at the 5 Mar visit (no start date in the registration),
// next appointment 2 Apr: new enrolment, new on ART, on ART; due in 2 days.
patient(
  52,
  { registered: '2026-03-05', artStart: null, vls: [] },
  [visit('2026-03-05', { arvStatus: 'start' })],
  { lists: { thisWeek: -2 }, alerts: [], indicators: ['new_enrolments', 'new_on_art', CUR] },
);
// P53: registered 12 Mar, not on ART yet (appointment 9 Apr): a new enrolment only.
patient(
  53,
  { registered: '2026-03-12', artStart: null, vls: [] },
  [visit('2026-03-12', { arvStatus: 'not_on_art', noDispense: true, next: '2026-04-09' })],
  { ...none, indicators: ['new_enrolments'] },
);
// P54: registered and started 28 Feb (the day before the month): neither new in March. Came
// 27 Mar for the 28 Mar appointment (next 24 Apr).
patient(
  54,
  { registered: '2026-02-28', artStart: '2026-02-28', vls: [] },
  [visit('2026-02-28', { arvStatus: 'start' }), visit('2026-03-27')],
  { ...none, indicators: [CUR] },
);
// P55: registered at B and started ART on 31 Mar (the month's last day), seen today.
patient(
  55,
  { facility: B, registered: '2026-03-31', artStart: '2026-03-31', vls: [] },
  [visit('2026-03-31', { arvStatus: 'start' }, B)],
  { lists: { came: -28 }, alerts: [], indicators: ['new_enrolments', 'new_on_art', CUR] },
);
// P56: sampled 26 Feb, resulted 1 Mar (arrived late): a March test, suppressed.
patient(56, { vls: [stdVl(), vl('2026-02-26', '2026-03-01', 20)] }, [seen()], {
  ...none,
  indicators: [CUR, 'vl_tests_done', 'vl_suppressed'],
});
// P57: tested at facility C (sampled 2 Mar, resulted 30 Mar, 45): counts at A.
patient(57, { vls: [stdVl(), vl('2026-03-02', '2026-03-30', 45, C)] }, [seen()], {
  ...none,
  indicators: [CUR, 'vl_tests_done', 'vl_suppressed'],
});
// P58: two March results, 1,500 (2 Mar) then 300 (20 Mar): one patient tested, suppressed by
// the latest; low-level viraemia now.
patient(
  58,
  { vls: [stdVl(), vl('2026-03-02', '2026-03-05', 1500), vl('2026-03-20', '2026-03-28', 300)] },
  [seen()],
  {
    lists: {},
    alerts: ['vl_low_level/vl_low_level'],
    indicators: [CUR, 'vl_tests_done', 'vl_suppressed'],
  },
);
// P59–P63: age bands on 31 Mar 2026.
// P59: born 1 May 2016, 9 years: 5-9 (< 15).
patient(59, { sex: 'male', birthDate: '2016-05-01' }, [seen()], {
  ...none,
  indicators: [CUR],
  band: '5-9',
});
// P60: born 10 Feb 2024, 2 years: 0-4.
patient(60, { sex: 'female', birthDate: '2024-02-10' }, [seen()], {
  ...none,
  indicators: [CUR],
  band: '0-4',
});
// P61: born 1 Jan 1970, 56 years: 50+.
patient(61, { sex: 'male', birthDate: '1970-01-01' }, [seen()], {
  ...none,
  indicators: [CUR],
  band: '50+',
});
// P62: born 31 Mar 2011: 15 today, so 15-19 (15+).
patient(62, { sex: 'female', birthDate: '2011-03-31' }, [seen()], {
  ...none,
  indicators: [CUR],
  band: '15-19',
});
// P63: born 1 Apr 2011: 15 tomorrow, still 14: 10-14 (< 15).
patient(63, { sex: 'male', birthDate: '2011-04-01' }, [seen()], {
  ...none,
  indicators: [CUR],
  band: '10-14',
});
// P64: a VL on 3 Mar (30, resulted 6 Mar), then transferred out on 15 Mar: the test counts,
// the patient is no longer on ART here and on no list (appointment 31 Mar).
patient(
  64,
  { vls: [stdVl(), vl('2026-03-03', '2026-03-06', 30)] },
  [visit('2026-03-03'), status('2026-03-15', 'transferred_out')],
  { ...none, indicators: ['vl_tests_done', 'vl_suppressed'] },
);
// P65: due 1 Feb, LTFU on 2 Mar (still active then), died 20 Mar: LTFU in March, nothing now.
patient(65, {}, [visit('2026-01-04'), status('2026-03-20', 'died')], {
  ...none,
  indicators: ['ltfu'],
});
// P66: stopped 1 Dec 2025 (the 1 Dec appointment was never missed: stopped by then), restarted
// 10 Mar (active again, appointment 7 Apr): due in 7 days, on ART.
patient(
  66,
  {},
  [
    visit('2025-11-03'),
    status('2025-12-01', 'stopped'),
    status('2026-03-10', 'active'),
    visit('2026-03-10', { arvStatus: 'restart', arvReason: 'other' }),
  ],
  { lists: { thisWeek: -7 }, alerts: [], indicators: [CUR] },
);
// P67: "died" on 5 Mar entered on the wrong record, corrected to "active" as of the 3 Mar
// visit: due today, on ART. Read without the correction, the later "died" would win.
{
  const mistake = status('2026-03-05', 'died');
  patient(67, {}, [visit('2026-03-03'), mistake, status('2026-03-03', 'active', mistake.id)], {
    lists: { expected: 0 },
    alerts: [],
    indicators: [CUR],
  });
}

export const cohort: readonly CohortPatient[] = patients;
