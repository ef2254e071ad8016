import type { FacilityCode, IsoDate, Sex } from '../types';

/** What a form is checked against besides its own values. */
export interface ValidationContext {
  /** Today on the device's calendar (see ../dates.ts `todayIso`). */
  today: IsoDate;
}

export interface PatientContext extends ValidationContext {
  /** The patient's birth date: no clinical date may be earlier. */
  birthDate?: IsoDate;
  /** The patient's sex: pregnancy and breastfeeding apply to female patients only. */
  sex?: Sex;
}

export interface EncounterContext extends PatientContext {
  /** The facility recording the entry (it is never taken from the form). */
  facilityCode: FacilityCode;
}
