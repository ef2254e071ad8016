import type { VocabItem } from './label';

export type ArvClass = 'NRTI' | 'NNRTI' | 'INSTI' | 'PI';

export interface Arv extends VocabItem {
  drugClass: ArvClass;
}

/** Single antiretrovirals used in Tanzania CTCs. Boosted PIs are one entry (`/r` = ritonavir). */
export const arvs: Arv[] = [
  { code: 'TDF', drugClass: 'NRTI', label: { en: 'Tenofovir (TDF)', sw: 'Tenofovir (TDF)' } },
  { code: 'ABC', drugClass: 'NRTI', label: { en: 'Abacavir (ABC)', sw: 'Abacavir (ABC)' } },
  { code: '3TC', drugClass: 'NRTI', label: { en: 'Lamivudine (3TC)', sw: 'Lamivudine (3TC)' } },
  {
    code: 'FTC',
    drugClass: 'NRTI',
    label: { en: 'Emtricitabine (FTC)', sw: 'Emtricitabine (FTC)' },
  },
  { code: 'AZT', drugClass: 'NRTI', label: { en: 'Zidovudine (AZT)', sw: 'Zidovudine (AZT)' } },
  { code: 'EFV', drugClass: 'NNRTI', label: { en: 'Efavirenz (EFV)', sw: 'Efavirenz (EFV)' } },
  { code: 'NVP', drugClass: 'NNRTI', label: { en: 'Nevirapine (NVP)', sw: 'Nevirapine (NVP)' } },
  {
    code: 'DTG',
    drugClass: 'INSTI',
    label: { en: 'Dolutegravir (DTG)', sw: 'Dolutegravir (DTG)' },
  },
  { code: 'RAL', drugClass: 'INSTI', label: { en: 'Raltegravir (RAL)', sw: 'Raltegravir (RAL)' } },
  {
    code: 'ATV/r',
    drugClass: 'PI',
    label: { en: 'Atazanavir/ritonavir (ATV/r)', sw: 'Atazanavir/ritonavir (ATV/r)' },
  },
  {
    code: 'LPV/r',
    drugClass: 'PI',
    label: { en: 'Lopinavir/ritonavir (LPV/r)', sw: 'Lopinavir/ritonavir (LPV/r)' },
  },
  {
    code: 'DRV/r',
    drugClass: 'PI',
    label: { en: 'Darunavir/ritonavir (DRV/r)', sw: 'Darunavir/ritonavir (DRV/r)' },
  },
];
