import type { PatientView } from '../../app/views';
import type { ArvStatus, Entry, EntryId, IsoDate, Sex } from '../../domain/types';
import { arvStatusNeedsReason } from '../../domain/vocab/arv-status';
import { toFormValues, type FormValues } from './values';

export function emptyVisit(today: IsoDate): FormValues {
  return {
    date: today,
    visitType: 'clinic',
    weightKg: '',
    heightCm: '',
    bpSystolic: '',
    bpDiastolic: '',
    pregnant: '',
    breastfeeding: '',
    tbScreen: '',
    symptoms: [],
    otherSymptoms: '',
    comorbidities: '',
    arvStatus: '',
    arvReason: '',
    regimen: '',
    daysSupplied: '',
    quantity: '',
    otherMedicines: [],
    otherMedicinesNote: '',
    adherence: '',
    pillsMissed: '',
    investigationsOrdered: [],
    nextAppointment: '',
    notes: '',
  };
}

const arvStatuses: readonly string[] = [
  'start',
  'continue',
  'substitute',
  'switch',
  'stop',
  'restart',
  'not_on_art',
];

export function asArvStatus(value: string): ArvStatus | undefined {
  return arvStatuses.includes(value) ? (value as ArvStatus) : undefined;
}

/** Under `stop` and `not_on_art` no ARVs go home, so regimen and supply do not apply. */
export function dispensesArvs(status: ArvStatus | undefined): boolean {
  return status !== 'stop' && status !== 'not_on_art';
}

/** Fields that do not apply to this patient or to the answers given so far. */
export function hiddenVisitFields(values: FormValues, sex: Sex): string[] {
  const hidden: string[] = [];
  if (sex !== 'female') hidden.push('pregnant', 'breastfeeding');
  const status = typeof values.arvStatus === 'string' ? asArvStatus(values.arvStatus) : undefined;
  if (!status || !arvStatusNeedsReason(status)) hidden.push('arvReason');
  if (!dispensesArvs(status)) hidden.push('regimen', 'daysSupplied', 'quantity');
  return hidden;
}

/** The entry a correction starts from, if the id names one of this kind. */
export function entryToCorrect<K extends Entry['kind']>(
  view: PatientView,
  kind: K,
  id: EntryId | undefined,
): Entry<K> | undefined {
  if (id === undefined) return undefined;
  const entry = view.history.find((item) => item.id === id);
  return entry && entry.kind === kind ? (entry as unknown as Entry<K>) : undefined;
}

export function visitValues(view: PatientView, today: IsoDate, supersedes?: EntryId): FormValues {
  const entry = entryToCorrect(view, 'visit', supersedes);
  return entry ? toFormValues(entry.data, emptyVisit(today)) : emptyVisit(today);
}
