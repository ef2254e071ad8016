/**
 * Issue 10 point 4: the series the charts draw. The thresholds come from the care policy, a
 * "not detected" result sits on the log floor, and the monthly percentages follow their written
 * definitions (src/ui/charts/series.ts), with a gap (null) where a figure does not exist.
 */
import { describe, expect, it } from 'vitest';
import { countInto, emptyIndicator, indicatorIds } from '../../../src/domain/care/indicators';
import type { IndicatorId } from '../../../src/domain/care/indicators';
import type { MonthlyReport } from '../../../src/domain/care/monthly-report';
import { defaultCarePolicy } from '../../../src/domain/care/policy';
import type { CareFacts, VlResult } from '../../../src/domain/care/record';
import type { CtcId, Entry, FacilityCode, IsoDate } from '../../../src/domain/types';
import {
  isDecade,
  monthLabel,
  monthTicks,
  monthsEnding,
  retentionByMonth,
  suppressionByMonth,
  vlAxisRange,
  vlLogFloor,
  vlPoints,
  vlStateOf,
  vlThresholds,
  weightPoints,
} from '../../../src/ui/charts/series';

const facility = '01020001' as FacilityCode;

/** Only the fields the series read; the rest of CareFacts is never touched by them. */
function factsWith(copies: [string, number][], weights: [string, number | undefined][] = []) {
  const viralLoads: VlResult[] = copies.map(([sampleDate, value], i) => ({
    sampleDate: sampleDate as IsoDate,
    resultDate: sampleDate as IsoDate,
    copies: value,
    facilityCode: facility,
    id: `vl-${i}` as VlResult['id'],
  }));
  const visits = weights.map(
    ([date, weightKg]) =>
      ({
        kind: 'visit',
        data: { date, ...(weightKg === undefined ? {} : { weightKg }) },
      }) as Entry<'visit'>,
  );
  return { viralLoads, visits } as unknown as CareFacts;
}

/** A report whose indicators count `n` patients each (ids made up per indicator). */
function report(month: string, n: Partial<Record<IndicatorId, number>>): MonthlyReport {
  const indicators = Object.fromEntries(
    indicatorIds.map((id) => {
      const ind = emptyIndicator();
      for (let i = 0; i < (n[id] ?? 0); i += 1) {
        countInto(ind, `${facility}${String(i).padStart(6, '0')}` as CtcId, 'female', 30);
      }
      return [id, ind];
    }),
  ) as MonthlyReport['indicators'];
  return { facility, month, end: `${month}-28` as IsoDate, indicators };
}

describe('viral-load points', () => {
  it('draws the lines at 1000 and 50 copies/mL, from the policy', () => {
    expect(vlThresholds()).toEqual({ unsuppressed: 1000, lowLevel: 50 });
    expect(vlThresholds({ ...defaultCarePolicy, unsuppressedFrom: 200, lowLevelFrom: 20 })).toEqual(
      { unsuppressed: 200, lowLevel: 20 },
    );
  });

  it('classifies at the thresholds: 49 suppressed, 50 low-level, 999 low-level, 1000 not', () => {
    expect(vlStateOf(0)).toBe('suppressed');
    expect(vlStateOf(49)).toBe('suppressed');
    expect(vlStateOf(50)).toBe('low_level');
    expect(vlStateOf(999)).toBe('low_level');
    expect(vlStateOf(1000)).toBe('unsuppressed');
  });

  it('puts "not detected" (0) and values under the floor on the floor of 20, keeping the value', () => {
    expect(vlLogFloor).toBe(20);
    const points = vlPoints(
      factsWith([
        ['2025-01-10', 0],
        ['2025-07-10', 19],
        ['2026-01-10', 20],
        ['2026-03-02', 12_400],
      ]),
    );
    expect(points.map((p) => [p.copies, p.plotted, p.belowFloor, p.state])).toEqual([
      [0, 20, true, 'suppressed'],
      [19, 20, true, 'suppressed'],
      [20, 20, false, 'suppressed'],
      [12_400, 12_400, false, 'unsuppressed'],
    ]);
    expect(points.map((p) => p.date)).toEqual([
      '2025-01-10',
      '2025-07-10',
      '2026-01-10',
      '2026-03-02',
    ]);
  });

  it('spans the floor to the power of ten at or above the highest value, at least 10,000', () => {
    expect(vlAxisRange([])).toEqual([20, 10_000]);
    const points = vlPoints(factsWith([['2025-01-10', 12_400]]));
    expect(vlAxisRange(points)).toEqual([20, 100_000]);
    expect(vlAxisRange(vlPoints(factsWith([['2025-01-10', 100_000]])))).toEqual([20, 100_000]);
  });
});

describe('weight points', () => {
  it('takes the weight of each visit that has one, in visit order', () => {
    const facts = factsWith(
      [],
      [
        ['2026-01-05', 52],
        ['2026-02-02', undefined],
        ['2026-03-02', 53.5],
      ],
    );
    expect(weightPoints(facts)).toEqual([
      { date: '2026-01-05', kg: 52 },
      { date: '2026-03-02', kg: 53.5 },
    ]);
  });
});

describe('the month axis', () => {
  it('lists 12 months ending with the given one, across a year end', () => {
    const months = monthsEnding('2026-03', 12);
    expect(months).toHaveLength(12);
    expect(months[0]).toBe('2025-04');
    expect(months.slice(8)).toEqual(['2025-12', '2026-01', '2026-02', '2026-03']);
  });

  it('labels a time axis by month, once per month, and a log axis at its decades only', () => {
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;
    const splits = ['2026-01-05', '2026-01-20', '2026-02-03', '2026-02-17'].map(day);
    expect(monthTicks(splits, 'en')).toEqual(['Jan 2026', '', 'Feb 2026', '']);
    expect([20, 50, 100, 300, 1000, 10_000].filter(isDecade)).toEqual([100, 1000, 10_000]);
  });

  it('labels a month in the language', () => {
    expect(monthLabel('2026-03', 'en')).toBe('Mar 2026');
    expect(monthLabel('2026-03', 'sw')).toMatch(/^Mac 2026$/);
  });
});

describe('suppression by month', () => {
  it('is suppressed ÷ tested, one decimal, and null when nobody was tested', () => {
    const reports = [
      report('2026-01', { vl_tests_done: 3, vl_suppressed: 2 }),
      report('2026-02', { vl_tests_done: 0, vl_suppressed: 0 }),
      report('2026-03', { vl_tests_done: 8, vl_suppressed: 8 }),
    ];
    expect(suppressionByMonth(reports, ['2025-12', '2026-01', '2026-02', '2026-03'])).toEqual([
      { month: '2025-12', value: null },
      { month: '2026-01', value: 66.7 },
      { month: '2026-02', value: null },
      { month: '2026-03', value: 100 },
    ]);
  });
});

describe('retention by month', () => {
  it('is on ART at the end ÷ (on ART the month before + new on ART + returned)', () => {
    const reports = [
      report('2026-01', { currently_on_art: 90 }),
      // 90 before + 6 new + 4 returned = 100 in care during February; 95 still on ART.
      report('2026-02', { currently_on_art: 95, new_on_art: 6, returned_to_care: 4 }),
      report('2026-03', { currently_on_art: 95 }),
    ];
    expect(retentionByMonth(reports, ['2026-01', '2026-02', '2026-03'])).toEqual([
      { month: '2026-01', value: null }, // no December report: no denominator
      { month: '2026-02', value: 95 },
      { month: '2026-03', value: 100 },
    ]);
  });

  it('reads published counts (a district trend) the same as a full report', () => {
    const published = (month: string, onArt: number, newOnArt: number) => ({
      month,
      indicators: Object.fromEntries(
        indicatorIds.map((id) => [
          id,
          { total: id === 'currently_on_art' ? onArt : id === 'new_on_art' ? newOnArt : 0 },
        ]),
      ) as Record<IndicatorId, { total: number }>,
    });
    const reports = [published('2026-01', 90, 0), published('2026-02', 95, 10)];
    expect(retentionByMonth(reports, ['2026-02'])[0]!.value).toBe(95);
  });

  it('is a gap after a missing month and for an empty clinic', () => {
    const reports = [report('2026-01', { currently_on_art: 10 }), report('2026-03', {})];
    expect(retentionByMonth(reports, ['2026-02', '2026-03']).map((p) => p.value)).toEqual([
      null,
      null,
    ]);
    const empty = [report('2026-01', {}), report('2026-02', {})];
    expect(retentionByMonth(empty, ['2026-02'])[0]!.value).toBeNull();
  });
});
