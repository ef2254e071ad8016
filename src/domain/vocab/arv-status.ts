/**
 * Why ART was started, changed or stopped. Each status has its own list: a reason that makes
 * sense for a stop ("patient decision") may be meaningless for a switch. `continue` and
 * `not_on_art` take no reason.
 */
import type { ArvStatus } from '../types';
import { arvStatusLabels } from './enums';
import type { VocabItem } from './label';

export const arvReasons: VocabItem[] = [
  { code: 'newly_diagnosed', label: { en: 'Newly diagnosed', sw: 'Amegundulika hivi karibuni' } },
  { code: 'transfer_in', label: { en: 'Transferred in', sw: 'Amehamia kutoka kituo kingine' } },
  { code: 'pregnancy', label: { en: 'Pregnancy / breastfeeding', sw: 'Ujauzito / kunyonyesha' } },
  { code: 'toxicity', label: { en: 'Toxicity / side effects', sw: 'Madhara ya dawa' } },
  { code: 'tb_cotreatment', label: { en: 'TB co-treatment', sw: 'Matibabu ya TB kwa pamoja' } },
  { code: 'drug_interaction', label: { en: 'Drug interaction', sw: 'Mwingiliano wa dawa' } },
  { code: 'drug_stock_out', label: { en: 'Drug stock-out', sw: 'Dawa imeisha kituoni' } },
  { code: 'new_drug_available', label: { en: 'New drug available', sw: 'Dawa mpya inapatikana' } },
  {
    code: 'virological_failure',
    label: { en: 'Treatment failure (viral load)', sw: 'Dawa kushindwa (wingi wa virusi)' },
  },
  {
    code: 'clinical_failure',
    label: { en: 'Treatment failure (clinical)', sw: 'Dawa kushindwa (dalili za kliniki)' },
  },
  {
    code: 'immunological_failure',
    label: { en: 'Treatment failure (CD4)', sw: 'Dawa kushindwa (CD4)' },
  },
  { code: 'poor_adherence', label: { en: 'Poor adherence', sw: 'Ufuasi duni wa dawa' } },
  { code: 'hospitalised', label: { en: 'Admitted to hospital', sw: 'Amelazwa hospitali' } },
  { code: 'patient_decision', label: { en: 'Patient decision', sw: 'Uamuzi wa mgonjwa' } },
  { code: 'returned_to_care', label: { en: 'Returned to care', sw: 'Amerudi kwenye huduma' } },
  { code: 'toxicity_resolved', label: { en: 'Side effects resolved', sw: 'Madhara yamekwisha' } },
  {
    code: 'drug_available_again',
    label: { en: 'Drug available again', sw: 'Dawa imepatikana tena' },
  },
  { code: 'other', label: { en: 'Other', sw: 'Nyingine' } },
];

export const arvReasonsByStatus: Record<ArvStatus, string[]> = {
  start: ['newly_diagnosed', 'transfer_in', 'pregnancy', 'other'],
  continue: [],
  substitute: [
    'toxicity',
    'pregnancy',
    'tb_cotreatment',
    'drug_interaction',
    'drug_stock_out',
    'new_drug_available',
    'other',
  ],
  switch: ['virological_failure', 'clinical_failure', 'immunological_failure', 'toxicity', 'other'],
  stop: [
    'toxicity',
    'patient_decision',
    'poor_adherence',
    'hospitalised',
    'drug_stock_out',
    'tb_cotreatment',
    'other',
  ],
  restart: [
    'returned_to_care',
    'toxicity_resolved',
    'drug_available_again',
    'patient_decision',
    'other',
  ],
  not_on_art: [],
};

/** Statuses that take no reason. */
export function arvStatusNeedsReason(status: ArvStatus): boolean {
  return arvReasonsByStatus[status].length > 0;
}

/** The reasons offered for one status, in display order, with labels. */
export function reasonsForArvStatus(status: ArvStatus): VocabItem[] {
  const codes = arvReasonsByStatus[status];
  return arvReasons.filter((reason) => codes.includes(reason.code));
}

/** Each ARV status with its label and the codes of the reasons it takes. */
export const arvStatuses: Array<VocabItem<ArvStatus> & { reasons: string[] }> = arvStatusLabels.map(
  (status) => ({ ...status, reasons: arvReasonsByStatus[status.code] }),
);
