/**
 * Issue 10 point 4, rendered on the server (as the other screen tests are; no canvas is drawn
 * there, the chart's effect does not run): every chart's text alternative — the figcaption
 * summary and a table listing every point — and a sentence instead of a chart for one point or
 * none, in English and Swahili. uPlot itself is never imported by this render.
 */
import { render } from 'svelte/server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CareFacts } from '../../../src/domain/care/record';
import type { IsoDate } from '../../../src/domain/types';
import RecordCharts from '../../../src/ui/charts/RecordCharts.svelte';
import TrendChart from '../../../src/ui/charts/TrendChart.svelte';
import { loadLanguage, locale } from '../../../src/ui/i18n/i18n.svelte';

beforeAll(() => loadLanguage('sw'));
afterEach(() => locale.set('en'));

/** The two lists the record charts read, as careFacts gives them (sample order, visit order). */
const facts = (vls: Array<[string, number]>, kgs: Array<[string, number]>): CareFacts =>
  ({
    viralLoads: vls.map(([day, copies], n) => ({
      sampleDate: day as IsoDate,
      resultDate: day as IsoDate,
      copies,
      facilityCode: '01020001',
      id: `r${n}`,
    })),
    visits: kgs.map(([day, weightKg]) => ({ kind: 'visit', data: { date: day, weightKg } })),
  }) as unknown as CareFacts;

/** What a reader sees of some markup: tags and comments out, white space collapsed. */
function text(html: string): string {
  const bare = html.replace(/<!--[\s\S]*?-->|<[^>]+>/g, ' ');
  return bare.split(/\s+/).filter(Boolean).join(' ');
}

/** The markup of the figure with this test id. */
function figure(html: string, testid: string): string {
  const start = html.lastIndexOf('<figure', html.indexOf(`data-testid="${testid}"`));
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</figure>', start));
}

const rows = (html: string) =>
  [...html.matchAll(/<tr data-testid="chart-row"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => text(m[1]!));

const history = facts(
  [
    ['2025-03-01', 12_400],
    ['2025-06-10', 0],
    ['2025-09-01', 800],
    ['2025-12-01', 15],
    ['2026-03-02', 40],
  ],
  [
    ['2026-01-05', 52],
    ['2026-02-02', 53.5],
    ['2026-03-02', 54],
  ],
);

function renderRecord(f: CareFacts, lang: 'en' | 'sw' = 'en') {
  locale.set(lang);
  return render(RecordCharts, { props: { facts: f, lang } }).body;
}

describe('the record charts', () => {
  it('sum up the viral load in the figcaption: count, last value and date, state', () => {
    const vl = figure(renderRecord(history), 'chart-vl');
    expect(vl).toContain('data-points="5"');
    expect(text(vl.slice(0, vl.indexOf('</figcaption>')))).toBe(
      'Viral load: 5 results, last 40 copies/mL on 2026-03-02, suppressed',
    );
  });

  it('list every viral load in the table, "not detected" and under-floor ones on the floor', () => {
    expect(rows(figure(renderRecord(history), 'chart-vl'))).toEqual([
      '2025-03-01 12,400',
      '2025-06-10 not detected (drawn at 20)',
      '2025-09-01 800',
      '2025-12-01 15 (drawn at 20)',
      '2026-03-02 40',
    ]);
  });

  it('list every weight, with its summary', () => {
    const weight = figure(renderRecord(history), 'chart-weight');
    expect(text(weight)).toContain('Weight: 3 visits with a weight, last 54 kg on 2026-03-02');
    expect(rows(weight)).toEqual(['2026-01-05 52', '2026-02-02 53.5', '2026-03-02 54']);
  });

  it('say an unsuppressed last result is unsuppressed', () => {
    const html = renderRecord(
      facts(
        [
          ['2026-01-01', 30],
          ['2026-03-02', 12_400],
        ],
        [],
      ),
    );
    expect(text(figure(html, 'chart-vl'))).toContain(
      'last 12,400 copies/mL on 2026-03-02, unsuppressed',
    );
  });

  it('give a sentence, and no chart or table, for one point or none', () => {
    const html = renderRecord(facts([['2026-03-02', 1500]], []));
    const vl = figure(html, 'chart-vl');
    expect(text(vl)).toBe('Viral load: 1 result, last 1,500 copies/mL on 2026-03-02, unsuppressed');
    expect(vl).not.toContain('<table');
    expect(vl).not.toContain('chart-canvas');
    expect(text(figure(html, 'chart-weight'))).toBe('Weight: not recorded yet.');
    expect(text(figure(renderRecord(facts([], [])), 'chart-vl'))).toBe(
      'Viral load: no result yet.',
    );
  });

  it('draw a chart (hidden from screen readers) when there are two points or more', () => {
    const vl = figure(renderRecord(history), 'chart-vl');
    expect(vl).toMatch(/class="chart-canvas[^"]*"[^>]*aria-hidden="true"/);
  });

  it('speak Swahili', () => {
    const html = renderRecord(history, 'sw');
    expect(text(figure(html, 'chart-vl'))).toContain(
      'Wingi wa virusi: majibu 5, la mwisho 40 copies/mL tarehe 2026-03-02, vimedhibitiwa',
    );
    expect(rows(figure(html, 'chart-vl'))[1]).toBe('2025-06-10 haikuonekana (imechorwa kwenye 20)');
  });
});

describe('the trend chart', () => {
  const months = ['2026-01', '2026-02', '2026-03'];
  const series = [
    {
      label: 'VL suppressed',
      points: [
        { month: months[0]!, value: 88.5 },
        { month: months[1]!, value: null },
        { month: months[2]!, value: 92 },
      ],
    },
    {
      label: 'Retention',
      points: [
        { month: months[0]!, value: null },
        { month: months[1]!, value: 97.1 },
        { month: months[2]!, value: 96 },
      ],
    },
  ];

  function renderTrend(lang: 'en' | 'sw' = 'en', s = series) {
    locale.set(lang);
    return render(TrendChart, {
      props: { title: 'Trends', series: s, unit: 'percent', lang },
    }).body;
  }

  it('lists every month of every series, a gap as "no figure"', () => {
    const html = figure(renderTrend(), 'trend-chart');
    expect(html).toContain('data-points="3"');
    expect(rows(html)).toEqual([
      'Jan 2026 88.5 % no figure',
      'Feb 2026 no figure 97.1 %',
      'Mar 2026 92 % 96 %',
    ]);
    expect(text(html)).toContain('Month VL suppressed Retention');
  });

  it('sums up each series: months with a figure and the last one', () => {
    const caption = text(figure(renderTrend(), 'trend-chart').split('</figcaption>')[0]!);
    expect(caption).toBe(
      'Trends VL suppressed: 2 months with a figure, last 92 % in Mar 2026 Retention: 2 months with a figure, last 96 % in Mar 2026',
    );
  });

  it('says there is no figure, with no chart, when every month is a gap', () => {
    const empty = [{ label: 'Retention', points: months.map((month) => ({ month, value: null })) }];
    const html = figure(renderTrend('en', empty), 'trend-chart');
    expect(text(html)).toBe('Trends Trends: no figure for these months.');
    expect(html).not.toContain('chart-canvas');
  });

  it('speaks Swahili', () => {
    const html = figure(renderTrend('sw'), 'trend-chart');
    expect(rows(html)[0]).toBe('Jan 2026 88.5 % hakuna takwimu');
    expect(text(html)).toContain('miezi 2 yenye takwimu');
  });
});
