/**
 * ARV regimens by Tanzania CTC code: line number, a letter for the combination, and `-A`
 * (adults) or `-P` (paediatrics). `?x` is "other", for a combination not in the list.
 * Kept as data so a guideline update is an edit here, not a code change. Check the list
 * against the current NACP guideline before deployment.
 */
import type { Label, VocabItem } from './label';

export type RegimenLine = 1 | 2 | 3;
export type RegimenPopulation = 'adult' | 'paediatric';

export interface Regimen extends VocabItem {
  /** Undefined only for `?x` (other). */
  line?: RegimenLine;
  population?: RegimenPopulation;
  /** ARV codes from ./arvs.ts; empty for `?x`. */
  components: string[];
  /** Common name, e.g. "TLD". */
  shortName?: string;
}

export const otherRegimenCode = '?x';

function regimen(
  code: string,
  line: RegimenLine,
  population: RegimenPopulation,
  components: string[],
  shortName?: string,
): Regimen {
  const combination = components.join(' + ');
  const text = shortName ? `${combination} (${shortName})` : combination;
  const label: Label = { en: text, sw: text };
  return shortName
    ? { code, line, population, components, shortName, label }
    : { code, line, population, components, label };
}

export const regimens: Regimen[] = [
  // Adults, first line
  regimen('1r-A', 1, 'adult', ['TDF', '3TC', 'DTG'], 'TLD'),
  regimen('1g-A', 1, 'adult', ['TDF', '3TC', 'EFV'], 'TLE'),
  regimen('1e-A', 1, 'adult', ['TDF', 'FTC', 'EFV']),
  regimen('1m-A', 1, 'adult', ['ABC', '3TC', 'DTG']),
  regimen('1c-A', 1, 'adult', ['AZT', '3TC', 'NVP']),
  regimen('1d-A', 1, 'adult', ['AZT', '3TC', 'EFV']),
  // Adults, second line
  regimen('2f-A', 2, 'adult', ['AZT', '3TC', 'ATV/r']),
  regimen('2h-A', 2, 'adult', ['AZT', '3TC', 'LPV/r']),
  regimen('2s-A', 2, 'adult', ['TDF', '3TC', 'ATV/r']),
  regimen('2t-A', 2, 'adult', ['TDF', '3TC', 'LPV/r']),
  regimen('2u-A', 2, 'adult', ['AZT', '3TC', 'DTG']),
  regimen('2v-A', 2, 'adult', ['TDF', '3TC', 'DRV/r']),
  // Adults, third line
  regimen('3y-A', 3, 'adult', ['DTG', 'DRV/r', 'AZT', '3TC']),
  regimen('3z-A', 3, 'adult', ['DTG', 'DRV/r', 'TDF', '3TC']),
  regimen('3x-A', 3, 'adult', ['RAL', 'DRV/r', 'AZT', '3TC']),
  // Paediatrics, first line
  regimen('1m-P', 1, 'paediatric', ['ABC', '3TC', 'DTG'], 'pALD'),
  regimen('1n-P', 1, 'paediatric', ['ABC', '3TC', 'LPV/r']),
  regimen('1k-P', 1, 'paediatric', ['ABC', '3TC', 'EFV']),
  regimen('1c-P', 1, 'paediatric', ['AZT', '3TC', 'NVP']),
  // Paediatrics, second line
  regimen('2f-P', 2, 'paediatric', ['AZT', '3TC', 'ATV/r']),
  regimen('2h-P', 2, 'paediatric', ['AZT', '3TC', 'LPV/r']),
  regimen('2u-P', 2, 'paediatric', ['AZT', '3TC', 'DTG']),
  regimen('2w-P', 2, 'paediatric', ['ABC', '3TC', 'DTG']),
  // Paediatrics, third line
  regimen('3y-P', 3, 'paediatric', ['DTG', 'DRV/r', 'AZT', '3TC']),
  regimen('3x-P', 3, 'paediatric', ['RAL', 'DRV/r', 'AZT', '3TC']),
  // Anything else; the visit's notes say what
  {
    code: otherRegimenCode,
    components: [],
    label: { en: 'Other regimen', sw: 'Mchanganyiko mwingine' },
  },
];

export function findRegimen(code: string): Regimen | undefined {
  return regimens.find((item) => item.code === code);
}
