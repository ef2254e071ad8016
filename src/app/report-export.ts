/**
 * Exports of a monthly report (issue 10 point 9): CSV for a spreadsheet, and a DHIS2
 * `dataValueSets` payload whose codes come from the district's mapping file
 * (src/domain/care/dhis2-mapping.ts; `public/dhis2-mapping.json` ships a template).
 */
import {
  cellsOf,
  parseDhis2MappingText,
  type Dhis2Mapping,
  type MappingProblem,
} from '../domain/care/dhis2-mapping';
import { ageBandLabels, indicatorIds, indicatorLabels } from '../domain/care/indicators';
import type { MonthlyReport } from '../domain/care/monthly-report';
import { sexes } from '../domain/vocab/enums';
import type { Label } from '../domain/vocab/label';
import { err, type Result } from '../lib/result';

type Lang = 'en' | 'sw';

const csvHeader: Label[] = [
  { en: 'Facility code', sw: 'Msimbo wa kituo' },
  { en: 'Month', sw: 'Mwezi' },
  { en: 'Indicator code', sw: 'Msimbo wa kiashiria' },
  { en: 'Indicator', sw: 'Kiashiria' },
  { en: 'Sex', sw: 'Jinsi' },
  { en: 'Age band', sw: 'Kundi la umri' },
  { en: 'Count', sw: 'Idadi' },
];

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (fields: (string | number)[]): string => fields.map(csvField).join(',');

/**
 * One row per indicator × sex × five-year age band (the finest split; every patient is in
 * exactly one cell, so an indicator's rows add up to its total), zero counts included so every
 * file has the same rows. The header and labels in the language; records end with CRLF.
 */
export function reportCsv(report: MonthlyReport, lang: Lang): string {
  const sexLabel = Object.fromEntries(sexes.map((s) => [s.code, s.label[lang]]));
  const lines = [csvLine(csvHeader.map((label) => label[lang]))];
  for (const id of indicatorIds) {
    for (const cell of cellsOf(report.indicators[id], 'sex_band')) {
      lines.push(
        csvLine([
          report.facility,
          report.month,
          id,
          indicatorLabels[id][lang],
          sexLabel[cell.sex!]!,
          ageBandLabels[cell.age!][lang],
          cell.ids.length,
        ]),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

export interface Dhis2DataValue {
  dataElement: string;
  categoryOptionCombo: string;
  value: string;
}

export interface Dhis2DataValueSet {
  dataSet: string;
  /** DHIS2's monthly period: `YYYYMM`. */
  period: string;
  orgUnit: string;
  dataValues: Dhis2DataValue[];
}

/**
 * The report as a DHIS2 data value set: every indicator × every cell of the mapping's
 * disaggregation, zeros included (a zero is a reported figure, not a missing one). The mapping
 * has been checked when loaded, so every indicator and cell has its code.
 */
export function dhis2DataValueSet(
  report: MonthlyReport,
  mapping: Dhis2Mapping,
  orgUnit: string,
): Dhis2DataValueSet {
  const dataValues: Dhis2DataValue[] = [];
  for (const id of indicatorIds) {
    for (const cell of cellsOf(report.indicators[id], mapping.disaggregation)) {
      dataValues.push({
        dataElement: mapping.dataElements[id],
        categoryOptionCombo: mapping.categoryOptionCombos[cell.key]!,
        value: String(cell.ids.length),
      });
    }
  }
  return { dataSet: mapping.dataSet, period: report.month.replace('-', ''), orgUnit, dataValues };
}

/**
 * The mapping file shipped with the app (or the district's edit of it), fetched and checked.
 * Offline it comes from the service worker's precache.
 */
export async function loadDhis2Mapping(
  fetcher: (url: string) => Promise<Response> = (url) => fetch(url),
  url = '/dhis2-mapping.json',
): Promise<Result<Dhis2Mapping, MappingProblem[]>> {
  let text: string;
  try {
    const response = await fetcher(url);
    if (!response.ok) return err([{ kind: 'not_loaded', path: `${url} (${response.status})` }]);
    text = await response.text();
  } catch {
    return err([{ kind: 'not_loaded', path: url }]);
  }
  return parseDhis2MappingText(text);
}
