/**
 * Who a form is about. With the full record that is its demographics; for a patient known only
 * from the network list (record not on this device yet) it is the list's summary, which is
 * enough to record a visit.
 */
import type { PatientView, SearchHit } from '../app/views';
import type { CtcId, Sex } from '../domain/types';

export type PatientSource = PatientView | SearchHit;

export interface PatientSubject {
  ctcId: CtcId;
  givenName: string;
  familyName: string;
  sex: Sex;
}

export function isFullRecord(patient: PatientSource): patient is PatientView {
  return 'demographics' in patient;
}

export function subjectOf(patient: PatientSource): PatientSubject {
  if (isFullRecord(patient)) {
    const { givenName, familyName, sex } = patient.demographics;
    return { ctcId: patient.ctcId, givenName, familyName, sex };
  }
  const { ctcId, givenName, familyName, sex } = patient;
  return { ctcId, givenName, familyName, sex };
}
