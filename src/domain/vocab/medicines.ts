import type { VocabItem } from './label';

/** Medicines dispensed besides ARVs. `other` needs a note saying what. */
export const otherMedicines: VocabItem[] = [
  { code: 'cotrimoxazole', label: { en: 'Cotrimoxazole (CTX)', sw: 'Cotrimoxazole (CTX)' } },
  {
    code: 'isoniazid',
    label: { en: 'Isoniazid preventive therapy (INH)', sw: 'Kinga ya TB: Isoniazid (INH)' },
  },
  {
    code: '3hp',
    label: {
      en: '3HP (rifapentine + isoniazid)',
      sw: 'Kinga ya TB: 3HP (rifapentine + isoniazid)',
    },
  },
  { code: 'fluconazole', label: { en: 'Fluconazole', sw: 'Fluconazole' } },
  { code: 'other', label: { en: 'Other medicine', sw: 'Dawa nyingine' } },
];

export const otherMedicineCode = 'other';
