/**
 * Issue 10 point 5: the monthly facility report screen (rendered on the server, as the other
 * screen tests are): every indicator with its total, sex and age splits and 5-year bands; every
 * number is a button for exactly the patients it counts; the patient list links each to its
 * record; print fits A4 (no table wider than 180 mm); exports are offered; a supervisor is sent
 * to the district report.
 */
import { readFileSync } from 'node:fs';
import { render } from 'svelte/server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalReport } from '../../../src/app/report-service';
import { patientsAt, type Split } from '../../../src/app/report-splits';
import type { ClinicService, DeviceProfile } from '../../../src/app/views';
import {
  ageBands,
  countInto,
  emptyIndicator,
  indicatorIds,
  type IndicatorId,
} from '../../../src/domain/care/indicators';
import type { MonthlyReport } from '../../../src/domain/care/monthly-report';
import type { CtcId, DeviceId, FacilityCode, IsoDate, UserId } from '../../../src/domain/types';
import ReportPatientList from '../../../src/ui/components/ReportPatientList.svelte';
import ReportSettings from '../../../src/ui/components/ReportSettings.svelte';
import { loadLanguage, locale } from '../../../src/ui/i18n/i18n.svelte';
import Report from '../../../src/ui/screens/Report.svelte';
import { sessionContext, withReports } from '../../../src/ui/state/context';
import type { ReportService } from '../../../src/app/report-service';
import { Session } from '../../../src/ui/state/session.svelte';

beforeAll(() => loadLanguage('sw'));
afterEach(() => locale.set('en'));

const FAC = '01020003' as FacilityCode;
const profile = (role: 'clinician' | 'supervisor'): DeviceProfile => ({
  deviceId: 'dev-1' as DeviceId,
  facility: { code: FAC, name: 'Mbezi CTC', district: 'Kinondoni', region: 'Dar es Salaam' },
  user: { id: 'u-1' as UserId, name: 'Neema Mushi', role, facilityCode: FAC },
  deviceSlot: 1,
  language: 'en',
});

/** Seeded: who counts where is drawn from a fixed sequence, printed if a test fails. */
const seed = 1026;
function localReport(): LocalReport {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const indicators = Object.fromEntries(
    indicatorIds.map((id) => [id, emptyIndicator()]),
  ) as MonthlyReport['indicators'];
  const names: Record<string, string> = {};
  for (let i = 1; i <= 40; i++) {
    const ctcId = `${FAC}01${String(i).padStart(4, '0')}` as CtcId;
    names[ctcId] = `Patient ${i}`;
    const sex = next() < 0.6 ? 'female' : 'male';
    const age = Math.floor(next() * 70);
    for (const id of indicatorIds) if (next() < 0.4) countInto(indicators[id], ctcId, sex, age);
  }
  return {
    report: { facility: FAC, month: '2026-02', end: '2026-02-28' as IsoDate, indicators },
    names,
    records: 40,
  };
}

function renderReport(role: 'clinician' | 'supervisor' = 'clinician', lang: 'en' | 'sw' = 'en') {
  const service = {
    profile: () => profile(role),
    onChange: () => () => undefined,
  } as unknown as ClinicService;
  const session = new Session(service);
  locale.set(lang);
  return render(Report, {
    props: { month: '2026-02', preloaded: localReport() },
    context: sessionContext(session),
  }).body;
}

const text = (html: string) =>
  html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

function splitOf(written: string): Split {
  const key = written.replace(/&lt;/g, '<');
  if (key === 'total') return { kind: 'total' };
  if (key === 'female' || key === 'male') return { kind: 'sex', sex: key };
  if (key === '<15' || key === '15+') return { kind: 'age', age: key };
  const [band, sex] = key.split('/') as [(typeof ageBands)[number], 'female' | 'male'];
  return { kind: 'band', band, sex };
}

describe('the monthly facility report screen', () => {
  it(`shows every indicator by sex, age and 5-year band, each number a button (seed ${seed})`, () => {
    const html = renderReport();
    const buttons = [
      ...html.matchAll(
        /data-testid="report-count" data-indicator="([a-z_]+)" data-split="([^"]+)"[^>]*>([\d,]+)</g,
      ),
    ];
    // 8 indicators × (total, 2 sexes, 2 ages) + 8 × 11 bands × 2 sexes.
    expect(buttons.length).toBe(indicatorIds.length * (5 + ageBands.length * 2));
    const report = localReport().report;
    for (const [, id, key, shown] of buttons) {
      const ids = patientsAt(report.indicators[id as IndicatorId], splitOf(key!));
      expect(Number(shown), `${id} ${key} (seed ${seed})`).toBe(ids.length);
    }
    expect(text(html)).toContain('Figures as of 2026-02-28, from 40 records');
    expect(text(html)).toContain('Mbezi CTC (01020003)');
    expect(html).toContain('data-testid="report-print"');
    expect(html).toContain('data-testid="report-csv"');
    expect(html).toContain('data-testid="report-dhis2"');
    expect(html).toContain('data-testid="report-month"');
  });

  it('lists the patients a number counts, each linking to the record', () => {
    const local = localReport();
    const ids = local.report.indicators.currently_on_art.bySex.female;
    const html = render(ReportPatientList, {
      props: {
        title: 'Currently on ART · Female',
        ids,
        names: local.names,
        format: (id: string) => id,
        close: () => undefined,
      },
    }).body;
    expect(html).toContain(`data-count="${ids.length}"`);
    expect((html.match(/data-testid="report-patient"/g) ?? []).length).toBe(ids.length);
    for (const id of ids) {
      expect(html).toContain(`href="#/patient/${id}"`);
      expect(text(html)).toContain(local.names[id]!);
    }
  });

  it('prints on A4: a page rule and no table wider than 180 mm', () => {
    const sources = ['src/ui/screens/Report.svelte', 'src/ui/components/ReportTable.svelte'].map(
      (file) => readFileSync(file, 'utf8'),
    );
    const css = sources.map((s) => s.slice(s.indexOf('<style>'))).join('\n');
    expect(css).toMatch(/@page\s*{\s*size:\s*A4 portrait;\s*margin:\s*15mm;/);
    // Every width in millimetres stays within the 180 mm A4 leaves inside 15 mm margins.
    const widths = [...css.matchAll(/(?:max-)?width:\s*(\d+)mm/g)].map((m) => Number(m[1]));
    expect(widths.length).toBeGreaterThan(0);
    expect(Math.max(...widths)).toBeLessThanOrEqual(180);
    expect(css).toMatch(/\.report-table table\s*{[^}]*max-width:\s*180mm/);
    // The two band columns and their gap add up to at most 180 mm.
    const grid = /grid-template-columns:\s*(\d+)mm (\d+)mm;\s*gap:\s*(\d+)mm/.exec(css);
    expect(grid).not.toBeNull();
    const [, a, b, gap] = grid!.map(Number);
    expect(a! + b! + gap!).toBeLessThanOrEqual(180);
    // Nor is a patient list printed: a paper report holds no names.
    const list = readFileSync('src/ui/components/ReportPatientList.svelte', 'utf8');
    expect(list).toMatch(/@media print\s*{\s*\.report-patients\s*{\s*display:\s*none/);
  });

  it('sends a supervisor to the district report', () => {
    const html = renderReport('supervisor');
    expect(html).toContain('data-testid="report-not-publisher"');
    expect(html).toContain('href="#/district"');
    expect(html).not.toContain('data-testid="report-count"');
  });

  it('speaks Swahili', () => {
    const html = renderReport('clinician', 'sw');
    expect(text(html)).toContain('Ripoti ya mwezi');
    expect(text(html)).toContain('Wanaotumia ARV sasa');
    expect(text(html)).toContain('Pakua CSV');
  });
});

describe('the "data is old" setting (RP8)', () => {
  const service = {
    profile: () => profile('clinician'),
    onChange: () => () => undefined,
  } as unknown as ClinicService;

  it('is a labelled field with its range, where the report service exists', () => {
    const reports = {
      staleAfterDays: () => new Promise(() => undefined),
    } as unknown as ReportService;
    const html = render(ReportSettings, {
      context: withReports(sessionContext(new Session(service)), reports),
    }).body;
    expect(html).toContain('data-testid="report-settings"');
    expect(html).toMatch(/<label for="stale-after-days">/);
    expect(html).toContain('id="stale-after-days"');
    expect(text(html)).toContain('From 1 to 90 days. The default is 7.');
  });

  it('is not shown without one', () => {
    const html = render(ReportSettings, { context: sessionContext(new Session(service)) }).body;
    expect(html).not.toContain('report-settings');
  });
});
