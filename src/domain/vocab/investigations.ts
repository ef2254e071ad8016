/**
 * Investigations and the shape of their results. Units live here and nowhere else: a result's
 * unit is copied from this list, never typed in (the earlier system stored viral loads in
 * cells/mm³ because the unit was free text).
 */
import type { VocabItem } from './label';

export interface NumericShape {
  kind: 'numeric';
  unit: string;
  min: number;
  max: number;
  integer: boolean;
}

export interface CategoricalShape {
  kind: 'categorical';
  values: VocabItem[];
}

export type ResultShape = NumericShape | CategoricalShape;

export interface Investigation extends VocabItem {
  shape: ResultShape;
}

const positiveNegative: VocabItem[] = [
  { code: 'positive', label: { en: 'Positive', sw: 'Chanya' } },
  { code: 'negative', label: { en: 'Negative', sw: 'Hasi' } },
];

export const xpertResults: VocabItem[] = [
  { code: 'mtb_not_detected', label: { en: 'MTB not detected', sw: 'MTB haikuonekana' } },
  {
    code: 'mtb_detected_rif_not_detected',
    label: {
      en: 'MTB detected, RIF resistance not detected',
      sw: 'MTB imeonekana, usugu wa RIF haukuonekana',
    },
  },
  {
    code: 'mtb_detected_rif_detected',
    label: {
      en: 'MTB detected, RIF resistance detected',
      sw: 'MTB imeonekana, usugu wa RIF umeonekana',
    },
  },
  { code: 'indeterminate', label: { en: 'Indeterminate', sw: 'Haijathibitika' } },
  { code: 'error', label: { en: 'Error / invalid test', sw: 'Hitilafu / kipimo batili' } },
];

export const investigations: Investigation[] = [
  {
    code: 'viral_load',
    label: { en: 'Viral load', sw: 'Wingi wa virusi (VL)' },
    shape: { kind: 'numeric', unit: 'copies/mL', min: 0, max: 10_000_000, integer: true },
  },
  {
    code: 'cd4',
    label: { en: 'CD4 count', sw: 'Kiwango cha CD4' },
    shape: { kind: 'numeric', unit: 'cells/mm³', min: 0, max: 5_000, integer: true },
  },
  {
    code: 'crag',
    label: { en: 'Cryptococcal antigen (CrAG)', sw: 'Kipimo cha fangasi wa ubongo (CrAG)' },
    shape: { kind: 'categorical', values: positiveNegative },
  },
  {
    code: 'hbsag',
    label: { en: 'Hepatitis B surface antigen (HBsAg)', sw: 'Homa ya ini B (HBsAg)' },
    shape: { kind: 'categorical', values: positiveNegative },
  },
  {
    code: 'xpert',
    label: { en: 'Xpert MTB/RIF', sw: 'Xpert MTB/RIF (kipimo cha TB)' },
    shape: { kind: 'categorical', values: xpertResults },
  },
  {
    code: 'haemoglobin',
    label: { en: 'Haemoglobin', sw: 'Wingi wa damu (Hb)' },
    shape: { kind: 'numeric', unit: 'g/dL', min: 1, max: 25, integer: false },
  },
  {
    code: 'creatinine',
    label: { en: 'Creatinine', sw: 'Kreatinini' },
    shape: { kind: 'numeric', unit: 'µmol/L', min: 10, max: 2_000, integer: false },
  },
];

export function findInvestigation(code: string): Investigation | undefined {
  return investigations.find((item) => item.code === code);
}
