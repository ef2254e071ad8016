/**
 * How the monthly report maps onto a district's DHIS2 instance (issue 10 point 9): the data set,
 * one data element per indicator and one category option combo per disaggregation cell, as a
 * file the district edits (`public/dhis2-mapping.json` ships a template). The file is checked
 * when loaded: a shape error, an indicator the app does not know, an indicator without a data
 * element, or a cell without a combo refuses the whole file with every reason — a value is
 * never dropped from an export because its code is missing.
 *
 * The values are whatever identifiers the instance imports by: the shipped template uses codes
 * (import with `idScheme=CODE`); a district may put UIDs instead (the default `idScheme=UID`).
 *
 * `disaggregation` says which cells the instance has:
 * - `total` — one value per indicator (combo key `total`);
 * - `sex` — `female`, `male`;
 * - `sex_age` — sex × `<15` / `15+` (keys `female/<15`, `male/15+`, …);
 * - `sex_band` — sex × the five-year bands (keys `female/0-4`, …, `male/50+`).
 */
import * as v from 'valibot';
import { err, ok, type Result } from '../../lib/result';
import type { Sex } from '../types';
import type { Label } from '../vocab/label';
import {
  ageBands,
  coarseAges,
  emptyIndicator,
  indicatorIds,
  sexesInOrder,
  type AgeBand,
  type CoarseAge,
  type Indicator,
  type IndicatorId,
} from './indicators';

export const disaggregations = ['total', 'sex', 'sex_age', 'sex_band'] as const;
export type Disaggregation = (typeof disaggregations)[number];

export interface Dhis2Mapping {
  dataSet: string;
  disaggregation: Disaggregation;
  dataElements: Record<IndicatorId, string>;
  /** Combo key (see above) → category option combo code. */
  categoryOptionCombos: Record<string, string>;
}

/** One cell of an indicator: its combo key and the CTC IDs it counts. */
export interface Cell {
  key: string;
  sex?: Sex;
  age?: AgeBand | CoarseAge;
  ids: readonly string[];
}

/** The cells of an indicator for a disaggregation; they add up to its total. */
export function cellsOf(indicator: Indicator, disaggregation: Disaggregation): Cell[] {
  switch (disaggregation) {
    case 'total':
      return [{ key: 'total', ids: indicator.total }];
    case 'sex':
      return sexesInOrder.map((sex) => ({ key: sex, sex, ids: indicator.bySex[sex] }));
    case 'sex_age':
      // Indicator.byAge is not split by sex; the bands are, and each band is wholly < 15 or 15+.
      return sexesInOrder.flatMap((sex) =>
        coarseAges.map((age) => ({
          key: `${sex}/${age}`,
          sex,
          age,
          ids: ageBands
            .filter((band) => (bandIsChild(band) ? age === '<15' : age === '15+'))
            .flatMap((band) => indicator.byBand[band][sex]),
        })),
      );
    case 'sex_band':
      return sexesInOrder.flatMap((sex) =>
        ageBands.map((band) => ({
          key: `${sex}/${band}`,
          sex,
          age: band,
          ids: indicator.byBand[band][sex],
        })),
      );
  }
}

const bandIsChild = (band: AgeBand): boolean =>
  band === '0-4' || band === '5-9' || band === '10-14';

/** The combo keys a disaggregation needs, in export order. */
export function comboKeys(disaggregation: Disaggregation): string[] {
  return cellsOf(emptyIndicator(), disaggregation).map((cell) => cell.key);
}

export type MappingProblemKind =
  | 'not_loaded'
  | 'not_json'
  | 'invalid_shape'
  | 'unknown_indicator'
  | 'missing_indicator'
  | 'missing_combo'
  | 'unknown_combo';

export interface MappingProblem {
  kind: MappingProblemKind;
  /** Where in the file: `dataElements.new_enrolments`, `categoryOptionCombos.female/<15`, … */
  path: string;
}

const problemText: Record<MappingProblemKind, Label> = {
  not_loaded: { en: 'The mapping file could not be read', sw: 'Faili la ramani halikusomeka' },
  not_json: { en: 'The file is not valid JSON', sw: 'Faili si JSON halali' },
  invalid_shape: {
    en: 'Missing or not a non-empty text',
    sw: 'Haipo au si maandishi yasiyo matupu',
  },
  unknown_indicator: {
    en: 'Not an indicator of the monthly report',
    sw: 'Si kiashiria cha ripoti ya mwezi',
  },
  missing_indicator: {
    en: 'This indicator has no data element code',
    sw: 'Kiashiria hiki hakina msimbo wa data element',
  },
  missing_combo: {
    en: 'This disaggregation cell has no category option combo code',
    sw: 'Kisanduku hiki cha mgawanyo hakina msimbo wa category option combo',
  },
  unknown_combo: {
    en: 'Not a cell of this disaggregation',
    sw: 'Si kisanduku cha mgawanyo huu',
  },
};

/** "dataElements.foo: Not an indicator of the monthly report", in the language. */
export function problemSentence(problem: MappingProblem, lang: 'en' | 'sw'): string {
  return `${problem.path}: ${problemText[problem.kind][lang]}`;
}

const code = v.pipe(v.string(), v.trim(), v.minLength(1));
const schema = v.object({
  dataSet: code,
  disaggregation: v.picklist(disaggregations),
  dataElements: v.record(v.string(), code),
  categoryOptionCombos: v.record(v.string(), code),
});

const isIndicator = (id: string): id is IndicatorId => (indicatorIds as string[]).includes(id);

/** The mapping from parsed JSON, or every reason it is refused. */
export function parseDhis2Mapping(input: unknown): Result<Dhis2Mapping, MappingProblem[]> {
  const parsed = v.safeParse(schema, input);
  if (!parsed.success) {
    return err(
      parsed.issues.map((issue) => ({
        kind: 'invalid_shape' as const,
        path: (issue.path ?? []).map((p) => String(p.key)).join('.') || '(file)',
      })),
    );
  }
  const { dataSet, disaggregation, dataElements, categoryOptionCombos } = parsed.output;
  const problems: MappingProblem[] = [];
  for (const id of Object.keys(dataElements)) {
    if (!isIndicator(id)) problems.push({ kind: 'unknown_indicator', path: `dataElements.${id}` });
  }
  for (const id of indicatorIds) {
    if (!(id in dataElements))
      problems.push({ kind: 'missing_indicator', path: `dataElements.${id}` });
  }
  const needed = comboKeys(disaggregation);
  for (const key of needed) {
    if (!(key in categoryOptionCombos)) {
      problems.push({ kind: 'missing_combo', path: `categoryOptionCombos.${key}` });
    }
  }
  for (const key of Object.keys(categoryOptionCombos)) {
    // A combo of another disaggregation would be silently unused: the district meant something.
    if (!needed.includes(key)) {
      problems.push({ kind: 'unknown_combo', path: `categoryOptionCombos.${key}` });
    }
  }
  if (problems.length > 0) return err(problems);
  return ok({
    dataSet,
    disaggregation,
    dataElements: dataElements as Record<IndicatorId, string>,
    categoryOptionCombos,
  });
}

/** The mapping from the file's text (e.g. a fetched `dhis2-mapping.json`). */
export function parseDhis2MappingText(text: string): Result<Dhis2Mapping, MappingProblem[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err([{ kind: 'not_json', path: '(file)' }]);
  }
  return parseDhis2Mapping(json);
}
