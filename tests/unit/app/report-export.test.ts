/**
 * Issue 10 point 9: report exports. CSV rows quote as RFC 4180 says and add up to the report's
 * totals; the DHIS2 data value set has the period as YYYYMM and takes every code from the
 * mapping; a mapping with an unknown indicator, a missing data element or a missing combo is
 * refused with every reason. The report is the golden cohort's real March 2026 report.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  csvField,
  dhis2DataValueSet,
  loadDhis2Mapping,
  reportCsv,
} from '../../../src/app/report-export';
import {
  comboKeys,
  parseDhis2Mapping,
  parseDhis2MappingText,
  problemSentence,
  type Dhis2Mapping,
} from '../../../src/domain/care/dhis2-mapping';
import { indicatorIds, indicatorLabels } from '../../../src/domain/care/indicators';
import { counts, monthlyReport } from '../../../src/domain/care/monthly-report';
import { careFacts } from '../../../src/domain/care/record';
import { A, T, cohort, month } from '../domain/care/cohort';

const report = monthlyReport(
  cohort.map((p) => careFacts(p.record)),
  A,
  month,
  { today: T },
);
const shipped = readFileSync(
  new URL('../../../public/dhis2-mapping.json', import.meta.url),
  'utf8',
);

/** RFC 4180 records split back into fields (quoted fields may hold commas, quotes, newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else {
      field += c;
    }
  }
  return rows;
}

describe('CSV', () => {
  it('quotes a field with a comma, a quote or a line break, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(12)).toBe('12');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });

  it('has a header in the language and one row per indicator × sex × age band', () => {
    const en = parseCsv(reportCsv(report, 'en'));
    expect(en[0]).toEqual([
      'Facility code',
      'Month',
      'Indicator code',
      'Indicator',
      'Sex',
      'Age band',
      'Count',
    ]);
    expect(en).toHaveLength(1 + indicatorIds.length * 2 * 11);
    expect(en[1]!.slice(0, 6)).toEqual([
      A,
      month,
      'new_enrolments',
      'New enrolments',
      'Female',
      '0-4 years',
    ]);
    const sw = parseCsv(reportCsv(report, 'sw'));
    expect(sw[0]![0]).toBe('Msimbo wa kituo');
    expect(sw[1]![3]).toBe(indicatorLabels.new_enrolments.sw);
    expect(sw[1]![4]).toBe('Mwanamke');
  });

  it('ends every record with CRLF and leaves a label without a comma or quote unquoted', () => {
    const text = reportCsv(report, 'en');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n').filter((line) => line !== '')).toHaveLength(1 + 8 * 22);
    // "Viral load suppressed (< 1000)" has no comma or quote: not quoted.
    expect(text).toContain(',Viral load suppressed (< 1000),');
  });

  it("rows add up to each indicator's total, and the cohort has figures to add", () => {
    const rows = parseCsv(reportCsv(report, 'en')).slice(1);
    const totals = counts(report);
    expect(Object.values(totals).some((n) => n > 1)).toBe(true);
    for (const id of indicatorIds) {
      const sum = rows.filter((r) => r[2] === id).reduce((s, r) => s + Number(r[6]), 0);
      expect(sum, id).toBe(totals[id]);
    }
  });
});

describe('DHIS2 data value set', () => {
  const mapping = ((): Dhis2Mapping => {
    const parsed = parseDhis2MappingText(shipped);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    return parsed.value;
  })();

  it('the shipped mapping loads', () => {
    expect(mapping.disaggregation).toBe('sex_age');
    expect(Object.keys(mapping.dataElements).sort()).toEqual([...indicatorIds].sort());
  });

  it('has the data set, the period as YYYYMM, the org unit and codes from the mapping', () => {
    const set = dhis2DataValueSet(report, mapping, 'OU_MBEZI');
    expect(set.dataSet).toBe('PAMOJA_CTC_MONTHLY');
    expect(set.period).toBe('202603');
    expect(set.orgUnit).toBe('OU_MBEZI');
    expect(set.dataValues).toHaveLength(indicatorIds.length * 4);
    expect(Object.keys(set).sort()).toEqual(['dataSet', 'dataValues', 'orgUnit', 'period']);
    const elements = new Set(set.dataValues.map((d) => d.dataElement));
    expect(elements).toEqual(new Set(Object.values(mapping.dataElements)));
    const combos = new Set(set.dataValues.map((d) => d.categoryOptionCombo));
    expect(combos).toEqual(new Set(['F_LT15', 'F_GE15', 'M_LT15', 'M_GE15']));
    for (const d of set.dataValues) expect(d.value).toMatch(/^\d+$/);
  });

  it('values add up to the totals, whatever the disaggregation', () => {
    const totals = counts(report);
    for (const disaggregation of ['total', 'sex', 'sex_age', 'sex_band'] as const) {
      const custom: Dhis2Mapping = {
        ...mapping,
        disaggregation,
        categoryOptionCombos: Object.fromEntries(
          comboKeys(disaggregation).map((k) => [k, `C:${k}`]),
        ),
      };
      const set = dhis2DataValueSet(report, custom, 'OU');
      for (const id of indicatorIds) {
        const values = set.dataValues.filter((d) => d.dataElement === mapping.dataElements[id]);
        expect(
          values.reduce((s, d) => s + Number(d.value), 0),
          `${disaggregation} ${id}`,
        ).toBe(totals[id]);
      }
    }
  });

  it('refuses a mapping with an unknown indicator, a missing one and a missing combo, with reasons', () => {
    const bad = JSON.parse(shipped) as Record<string, Record<string, string>>;
    bad.dataElements!.hiv_tests = 'CTC_HTS';
    delete bad.dataElements!.ltfu;
    delete bad.categoryOptionCombos!['male/15+'];
    bad.categoryOptionCombos!['female/0-4'] = 'F_0_4';
    const parsed = parseDhis2Mapping(bad);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toEqual([
      { kind: 'unknown_indicator', path: 'dataElements.hiv_tests' },
      { kind: 'missing_indicator', path: 'dataElements.ltfu' },
      { kind: 'missing_combo', path: 'categoryOptionCombos.male/15+' },
      { kind: 'unknown_combo', path: 'categoryOptionCombos.female/0-4' },
    ]);
    expect(problemSentence(parsed.error[0]!, 'en')).toBe(
      'dataElements.hiv_tests: Not an indicator of the monthly report',
    );
    expect(problemSentence(parsed.error[0]!, 'sw')).toBe(
      'dataElements.hiv_tests: Si kiashiria cha ripoti ya mwezi',
    );
  });

  it('refuses a wrong shape, an empty code and text that is not JSON', () => {
    const bad = JSON.parse(shipped) as Record<string, unknown>;
    bad.disaggregation = 'by_region';
    (bad.dataElements as Record<string, string>).new_on_art = '  ';
    const parsed = parseDhis2Mapping(bad);
    expect(parsed.ok ? [] : parsed.error).toEqual([
      { kind: 'invalid_shape', path: 'disaggregation' },
      { kind: 'invalid_shape', path: 'dataElements.new_on_art' },
    ]);
    const text = parseDhis2MappingText('{ "dataSet": ');
    expect(text.ok ? [] : text.error).toEqual([{ kind: 'not_json', path: '(file)' }]);
  });

  it('loads through fetch, and says so when the file is not there', async () => {
    const served = await loadDhis2Mapping(() => Promise.resolve(new Response(shipped)));
    expect(served.ok).toBe(true);
    const missing = await loadDhis2Mapping(() =>
      Promise.resolve(new Response('', { status: 404 })),
    );
    expect(missing.ok ? [] : missing.error).toEqual([
      { kind: 'not_loaded', path: '/dhis2-mapping.json (404)' },
    ]);
    const offline = await loadDhis2Mapping(() => Promise.reject(new TypeError('offline')));
    expect(offline.ok ? [] : offline.error[0]!.kind).toBe('not_loaded');
  });
});
