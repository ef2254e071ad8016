/**
 * Properties of the report over random records (fast-check, fixed seed; fast-check prints the
 * seed and the shrunk counterexample on failure): no indicator counts a patient twice, the
 * disaggregations add up to the total, and the facilities add up to the district.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../../src/domain/dates';
import {
  ageBands,
  coarseAges,
  indicatorIds,
  sexesInOrder,
  type Indicator,
} from '../../../../src/domain/care/indicators';
import {
  districtReport,
  facilityReports,
  type MonthlyReport,
} from '../../../../src/domain/care/monthly-report';
import { evaluateFacts } from '../../../../src/domain/care/evaluate';
import { followUpLists } from '../../../../src/domain/care/follow-up-lists';
import { careFacts, statusOn, type CareRecord } from '../../../../src/domain/care/record';
import { summarizeFacts } from '../../../../src/domain/care/summary';
import type {
  CtcId,
  Entry,
  EntryId,
  FacilityCode,
  IsoDate,
  IsoDateTime,
  PatientStatus,
} from '../../../../src/domain/types';

const seed = 20260331;
const facilities = ['01020001', '01020002', '01020003'] as FacilityCode[];
const origin = '2025-06-01' as IsoDate;
const today = '2026-03-31' as IsoDate;
const dayArb = fc.integer({ min: 0, max: 303 }).map((n) => addDays(origin, n));

const stamp = (day: IsoDate, facility: FacilityCode): Entry['stamp'] => ({
  userId: 'u' as Entry['stamp']['userId'],
  userName: 'U',
  role: 'clinician',
  deviceId: 'd' as Entry['stamp']['deviceId'],
  facilityCode: facility,
  at: `${day}T12:00:00.000Z` as IsoDateTime,
});

const visitArb = fc.record({
  day: dayArb,
  at: fc.constantFrom(...facilities),
  gap: fc.option(fc.integer({ min: 14, max: 90 }), { nil: undefined }),
  start: fc.boolean(),
});
const vlArb = fc.record({
  day: dayArb,
  lag: fc.integer({ min: 0, max: 40 }),
  copies: fc.constantFrom(0, 40, 49, 50, 999, 1000, 25000),
});
const statusArb = fc.record({
  day: dayArb,
  status: fc.constantFrom<PatientStatus>('active', 'died', 'transferred_out', 'stopped'),
});

const recordArb = (n: number) =>
  fc
    .record({
      facility: fc.constantFrom(...facilities),
      sex: fc.constantFrom('female' as const, 'male' as const),
      birthYear: fc.integer({ min: 1950, max: 2025 }),
      registered: dayArb,
      artStart: fc.option(dayArb, { nil: undefined }),
      visits: fc.array(visitArb, { maxLength: 6 }),
      vls: fc.array(vlArb, { maxLength: 3 }),
      statuses: fc.array(statusArb, { maxLength: 2 }),
      correctFirstVisit: fc.boolean(),
    })
    .map((g): CareRecord => {
      const entries: Entry[] = [];
      let id = 0;
      const nextId = () => `e${n}-${++id}` as EntryId;
      for (const v of g.visits) {
        const data: Entry<'visit'>['data'] = {
          date: v.day,
          facilityCode: v.at,
          visitType: 'clinic',
          tbScreen: 'negative',
          symptoms: [],
          arvStatus: v.start ? 'start' : 'continue',
          otherMedicines: [],
          investigationsOrdered: [],
          regimen: '1r-A',
          daysSupplied: 30,
        };
        if (v.gap !== undefined) data.nextAppointment = addDays(v.day, v.gap);
        entries.push({ id: nextId(), kind: 'visit', stamp: stamp(v.day, v.at), data });
      }
      const first = entries[0];
      if (g.correctFirstVisit && first?.kind === 'visit') {
        const data = { ...(first as Entry<'visit'>).data };
        data.date = addDays(data.date, 1);
        entries.push({ ...first, id: nextId(), supersedes: first.id, data });
      }
      for (const v of g.vls) {
        const resultDate = addDays(v.day, v.lag);
        entries.push({
          id: nextId(),
          kind: 'result',
          stamp: stamp(resultDate, g.facility),
          data: {
            investigation: 'viral_load',
            sampleDate: v.day,
            resultDate,
            value: { kind: 'numeric', value: v.copies, unit: 'copies/mL' },
            facilityCode: g.facility,
          },
        });
      }
      for (const s of g.statuses) {
        entries.push({
          id: nextId(),
          kind: 'status',
          stamp: stamp(s.day, g.facility),
          data: { status: s.status, date: s.day },
        });
      }
      const record: CareRecord = {
        ctcId: `${g.facility}${String(n).padStart(6, '0')}` as CtcId,
        primaryFacility: g.facility,
        registeredAt: `${g.registered}T12:00:00.000Z` as IsoDateTime,
        demographics: {
          givenName: 'A',
          familyName: 'B',
          sex: g.sex,
          birthDate: `${g.birthYear}-07-01` as IsoDate,
          birthDateEstimated: false,
        },
        entries,
      };
      if (g.artStart !== undefined) record.demographics.artStartDate = g.artStart;
      return record;
    });

const cohortArb = fc
  .integer({ min: 1, max: 40 })
  .chain((size) => fc.tuple(...Array.from({ length: size }, (_, i) => recordArb(i + 1))));
const monthArb = fc.constantFrom('2025-09', '2026-01', '2026-02', '2026-03');

const sizeOf = (lists: readonly (readonly unknown[])[]) => lists.reduce((s, l) => s + l.length, 0);

function checkIndicator(ind: Indicator): void {
  expect(new Set(ind.total).size).toBe(ind.total.length);
  expect(sizeOf(sexesInOrder.map((s) => ind.bySex[s]))).toBe(ind.total.length);
  expect(sizeOf(coarseAges.map((a) => ind.byAge[a]))).toBe(ind.total.length);
  expect(sizeOf(ageBands.flatMap((b) => sexesInOrder.map((s) => ind.byBand[b][s])))).toBe(
    ind.total.length,
  );
  const cells = ageBands.flatMap((b) => sexesInOrder.flatMap((s) => ind.byBand[b][s]));
  expect([...cells].sort()).toEqual([...ind.total].sort());
}

const options = { seed, numRuns: 150 };

describe('monthly report properties (seed printed by fast-check on failure)', () => {
  it('no indicator counts a patient twice, and every split adds up to the total', () => {
    fc.assert(
      fc.property(cohortArb, monthArb, (records, month) => {
        const reports = facilityReports(records.map(careFacts), month, { today });
        for (const report of reports) {
          for (const id of indicatorIds) checkIndicator(report.indicators[id]);
        }
      }),
      options,
    );
  });

  it('facility reports add up to the district, which counts no patient twice', () => {
    fc.assert(
      fc.property(cohortArb, monthArb, (records, month) => {
        const reports: MonthlyReport[] = facilityReports(records.map(careFacts), month, { today });
        const district = districtReport(reports, month);
        for (const id of indicatorIds) {
          const parts = reports.map((r) => r.indicators[id].total.length);
          expect(district.indicators[id].total.length).toBe(parts.reduce((a, b) => a + b, 0));
          checkIndicator(district.indicators[id]);
        }
      }),
      options,
    );
  });

  it('suppressed is a subset of tested', () => {
    fc.assert(
      fc.property(cohortArb, monthArb, (records, month) => {
        for (const report of facilityReports(records.map(careFacts), month, { today })) {
          const tested = new Set(report.indicators.vl_tests_done.total);
          for (const id of report.indicators.vl_suppressed.total) expect(tested.has(id)).toBe(true);
        }
      }),
      options,
    );
  });

  it('lists hold active patients only, each in at most one state; alerts only for them', () => {
    fc.assert(
      fc.property(cohortArb, (records) => {
        const facts = records.map(careFacts);
        const lists = followUpLists(
          facts.map((f) => summarizeFacts(f, today)),
          today,
        );
        const active = new Set(
          facts.filter((f) => statusOn(f, today) === 'active').map((f) => f.record.ctcId),
        );
        const states = [lists.today.expected, lists.overdue, lists.missed, lists.ltfu];
        const seen = states.flatMap((list) => list.map((item) => item.ctcId));
        expect(new Set(seen).size).toBe(seen.length);
        for (const id of [...seen, ...lists.thisWeek.map((i) => i.ctcId)]) {
          expect(active.has(id)).toBe(true);
        }
        for (const f of facts) {
          const alerts = evaluateFacts(f, today);
          if (!active.has(f.record.ctcId)) expect(alerts.open).toEqual([]);
          for (const alert of alerts.open)
            expect(alert.key.startsWith(`${alert.ruleId}:`)).toBe(true);
        }
      }),
      options,
    );
  });
});
