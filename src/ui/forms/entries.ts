import type { PatientView } from '../../app/views';
import type { EntryId, IsoDate } from '../../domain/types';
import { findInvestigation } from '../../domain/vocab/investigations';
import { toFormValues, type FormValues } from './values';
import { entryToCorrect } from './visit';

export function resultValues(view: PatientView, today: IsoDate, supersedes?: EntryId): FormValues {
  const empty: FormValues = {
    investigation: '',
    sampleDate: '',
    resultDate: today,
    value: '',
    note: '',
  };
  const entry = entryToCorrect(view, 'result', supersedes);
  if (!entry) return empty;
  return {
    ...toFormValues(entry.data, empty),
    value: String(entry.data.value.value),
  };
}

/** The unit a numeric investigation is reported in, from the vocabulary (never typed). */
export function resultShape(code: string) {
  return findInvestigation(code)?.shape;
}

export function appointmentValues(view: PatientView, supersedes?: EntryId): FormValues {
  const empty: FormValues = { date: '', purpose: 'clinic', note: '' };
  const entry = entryToCorrect(view, 'appointment', supersedes);
  return entry ? toFormValues(entry.data, empty) : empty;
}

export function statusValues(today: IsoDate): FormValues {
  return { status: '', date: today, toFacility: '', note: '' };
}
