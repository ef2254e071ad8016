import { describe, expect, it } from 'vitest';
import { evaluateRecord } from '../../../../src/domain/care/evaluate';
import { dueOn, followUpLists } from '../../../../src/domain/care/follow-up-lists';
import { indicatorIds, type IndicatorId } from '../../../../src/domain/care/indicators';
import {
  counts,
  districtReport,
  facilityReports,
} from '../../../../src/domain/care/monthly-report';
import { reasonSentences, slotsOf } from '../../../../src/domain/care/reasons';
import { careFacts } from '../../../../src/domain/care/record';
import { careRules } from '../../../../src/domain/care/rules';
import { summarize } from '../../../../src/domain/care/summary';
import type { IsoDate } from '../../../../src/domain/types';
import { A, B, C, T, cohort, month, type CohortPatient, type ListName } from './cohort';

const byN = (n: number): CohortPatient => {
  const p = cohort.find((x) => x.n === n);
  if (!p) throw new Error(`no patient ${n}`);
  return p;
};
const ids = (...ns: number[]) => ns.map((n) => byN(n).ctcId);
const summaries = cohort.map((p) => summarize(p.record, T));
const lists = followUpLists(summaries, T);
const listOf = (name: ListName) =>
  name === 'expected' ? lists.today.expected : name === 'came' ? lists.today.came : lists[name];
const listNames: ListName[] = [
  'expected',
  'came',
  'tomorrow',
  'thisWeek',
  'overdue',
  'missed',
  'ltfu',
];

describe('golden cohort: shape', () => {
  it('has at least 60 patients, each with a distinct CTC ID', () => {
    expect(cohort.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cohort.map((p) => p.ctcId)).size).toBe(cohort.length);
  });
});

describe('golden cohort: follow-up lists on 31 Mar 2026', () => {
  it.each(listNames)('%s holds exactly the patients expected, with their days late', (name) => {
    const expected = cohort
      .filter((p) => p.expect.lists[name] !== undefined)
      .map((p) => [p.ctcId, p.expect.lists[name]] as const);
    const actual = listOf(name).map((item) => [item.ctcId, item.daysLate] as const);
    expect(new Map(actual)).toEqual(new Map(expected));
    expect(actual.length).toBe(expected.length);
  });

  it('sorts by urgency (most days late first) and the days ahead by date', () => {
    expect(lists.overdue.map((i) => i.ctcId)).toEqual(ids(9, 27, 8));
    expect(lists.missed.map((i) => i.ctcId)).toEqual(ids(11, 28, 10));
    expect(lists.ltfu.map((i) => i.ctcId)).toEqual(ids(23, 14, 13, 15, 16, 29, 12));
    expect(lists.thisWeek.map((i) => i.ctcId)).toEqual(ids(5, 52, 24, 6, 66));
    expect(lists.today.expected.map((i) => i.ctcId)).toEqual(ids(1, 25, 67, 26));
    expect(lists.today.came.map((i) => i.ctcId)).toEqual(ids(2, 55));
  });

  it('counts each list (hand-counted)', () => {
    expect(lists.counts).toEqual({
      expectedToday: 4,
      cameToday: 2,
      tomorrow: 1,
      thisWeek: 5,
      overdue: 3,
      missed: 3,
      ltfu: 7,
    });
  });

  it('finds the patients due on a chosen day', () => {
    expect(dueOn(summaries, '2026-04-08' as IsoDate, T).map((i) => i.ctcId)).toEqual(ids(7));
  });

  it('shows the phone, the last visit and where, and the last tracing', () => {
    const p15 = lists.ltfu.find((i) => i.ctcId === byN(15).ctcId);
    expect(p15).toMatchObject({
      phone: '+255700000015',
      appointmentDate: '2026-02-20',
      lastVisit: { date: '2026-01-23', facilityCode: A },
      lastTracing: { date: '2026-03-25', method: 'phone', reached: true, outcome: 'will_return' },
    });
    const p16 = lists.ltfu.find((i) => i.ctcId === byN(16).ctcId);
    expect(p16?.lastTracing).toEqual({
      date: '2026-03-10',
      method: 'home_visit',
      reached: false,
      outcome: 'not_found',
    });
    // P4's appointment was kept by a visit at facility C.
    expect(summarize(byN(4).record, T)).toMatchObject({
      lastVisitDate: '2026-03-22',
      lastVisitFacility: C,
      appointment: { date: '2026-03-20', visitAfterSchedule: '2026-03-22' },
    });
  });
});

describe('golden cohort: decision support on 31 Mar 2026', () => {
  const results = new Map(cohort.map((p) => [p.n, evaluateRecord(p.record, T)]));
  const code = (a: { ruleId: string; reason: { sentence: string } }) =>
    `${a.ruleId}/${a.reason.sentence}`;

  it.each(cohort.map((p) => [p.n, p] as const))('P%i: open and answered alerts', (_n, p) => {
    const result = results.get(p.n)!;
    expect(result.open.map(code)).toEqual(p.expect.alerts);
    expect(result.answered.map((a) => code(a.alert))).toEqual(p.expect.answered ?? []);
  });

  it('gives the numbers behind each reason (hand-worked)', () => {
    const params = (n: number, i = 0) => results.get(n)!.open[i]!.reason.params;
    expect(params(31)).toEqual({ due: '2026-03-01', months: 6, artStart: '2025-09-01' });
    expect(params(33)).toEqual({
      due: '2026-03-10',
      months: 12,
      artStart: '2025-03-10',
      lastDate: '2025-09-12',
    });
    expect(params(34)).toEqual({ due: '2026-03-01', months: 12, lastDate: '2025-03-01' });
    expect(params(35)).toEqual({ due: '2026-03-05', orderedOn: '2026-03-23' });
    expect(params(36)).toEqual({
      value: 12400,
      date: '2026-02-10',
      threshold: 1000,
      repeatDue: '2026-05-10',
    });
    expect(params(37)).toMatchObject({ value: 5000, repeatDue: '2026-02-20' });
    expect(params(38)).toEqual({
      threshold: 1000,
      firstValue: 8000,
      firstDate: '2025-09-01',
      secondValue: 3500,
      secondDate: '2025-12-15',
    });
    expect(params(41)).toEqual({ value: 150, date: '2026-03-03', low: 50, high: 999 });
    expect(params(43)).toEqual({
      state: 'breastfeeding',
      visitDate: '2026-03-23',
      lastDate: '2025-08-01',
      months: 6,
    });
    expect(params(45)).toEqual({ screenDate: '2026-03-23' });
    expect(params(24)).toEqual({
      days: 30,
      dispensedOn: '2026-03-02',
      runsOut: '2026-04-01',
      appointment: '2026-04-06',
    });
    expect(results.get(30)!.open[0]!.level).toBe('unknown');
    expect(results.get(49)!.open[0]!.level).toBe('unknown');
  });

  it('uses every rule and every reason sentence somewhere in the cohort', () => {
    const used = new Set(
      [...results.values()].flatMap((r) => [
        ...r.open.map((a) => a.reason.sentence),
        ...r.answered.map((a) => a.alert.reason.sentence),
      ]),
    );
    expect([...used].sort()).toEqual(Object.keys(reasonSentences).sort());
    expect(new Set([...used].map((id) => id.split('.')[0])).size).toBe(careRules.length);
  });

  it('every sentence has a slot for each parameter of its alerts, in both languages', () => {
    for (const result of results.values()) {
      for (const alert of [...result.open, ...result.answered.map((a) => a.alert)]) {
        const sentence = reasonSentences[alert.reason.sentence];
        const keys = Object.keys(alert.reason.params).sort();
        expect(slotsOf(sentence.en).sort()).toEqual(keys);
        expect(slotsOf(sentence.sw).sort()).toEqual(keys);
      }
    }
  });
});

describe('golden cohort: March 2026 report', () => {
  const facts = cohort.map((p) => careFacts(p.record));
  const reports = facilityReports(facts, month, { today: T });
  const reportOf = (f: string) => reports.find((r) => r.facility === f)!;

  it('reports the registering facilities only (a visit at C counts at home)', () => {
    expect(reports.map((r) => r.facility)).toEqual([A, B]);
  });

  it.each(indicatorIds)('%s counts exactly the patients marked for it', (id: IndicatorId) => {
    for (const facility of [A, B]) {
      const expected = cohort
        .filter((p) => p.facility === facility && p.expect.indicators.includes(id))
        .map((p) => p.ctcId)
        .sort();
      expect(reportOf(facility).indicators[id].total).toEqual(expected);
    }
  });

  it('puts each patient in the hand-worked age band and sex', () => {
    for (const p of cohort) {
      for (const id of p.expect.indicators) {
        const ind = reportOf(p.facility).indicators[id];
        const sex = p.record.demographics.sex;
        expect(ind.byBand[p.expect.band][sex]).toContain(p.ctcId);
        expect(ind.bySex[sex]).toContain(p.ctcId);
      }
    }
  });

  it('matches the hand-counted totals per facility and for the district', () => {
    expect(counts(reportOf(A))).toEqual({
      new_enrolments: 2,
      new_on_art: 1,
      currently_on_art: 50,
      missed_appointments: 5,
      ltfu: 6,
      returned_to_care: 2,
      vl_tests_done: 8,
      vl_suppressed: 6,
    });
    expect(counts(reportOf(B))).toEqual({
      new_enrolments: 1,
      new_on_art: 1,
      currently_on_art: 4,
      missed_appointments: 2,
      ltfu: 1,
      returned_to_care: 0,
      vl_tests_done: 0,
      vl_suppressed: 0,
    });
    expect(counts(districtReport(reports, month))).toEqual({
      new_enrolments: 3,
      new_on_art: 2,
      currently_on_art: 54,
      missed_appointments: 7,
      ltfu: 7,
      returned_to_care: 2,
      vl_tests_done: 8,
      vl_suppressed: 6,
    });
  });

  it('splits children from adults (hand-counted: P59, P60, P63 are under 15)', () => {
    expect(reportOf(A).indicators.currently_on_art.byAge['<15']).toEqual(ids(59, 60, 63).sort());
  });
});
