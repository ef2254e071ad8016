/**
 * The clinical model (docs: ../shared/docs/domain.md). Plain data, no storage or network.
 * Valibot schemas in ./schemas produce exactly these types.
 */
import type { Brand } from '../lib/brand';

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = Brand<string, 'IsoDate'>;
/** An instant in UTC, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
export type IsoDateTime = Brand<string, 'IsoDateTime'>;
/** 8 digits: region (2) + district (2) + facility (4). */
export type FacilityCode = Brand<string, 'FacilityCode'>;
/** 14 digits: facility code (8) + serial (6). */
export type CtcId = Brand<string, 'CtcId'>;
export type DeviceId = Brand<string, 'DeviceId'>;
export type UserId = Brand<string, 'UserId'>;
export type EntryId = Brand<string, 'EntryId'>;

export type Sex = 'female' | 'male';
export type Role = 'clinician' | 'pharmacist' | 'lab' | 'data_clerk' | 'supervisor';
export type MaritalStatus = 'single' | 'married' | 'cohabiting' | 'divorced_separated' | 'widowed';
export type Language = 'en' | 'sw';
export type SupporterKind = 'none' | 'family' | 'friend' | 'partner' | 'community_group';
export type WhoStage = 1 | 2 | 3 | 4;

export interface Facility {
  code: FacilityCode;
  name: string;
  district: string;
  region: string;
}

export interface User {
  id: UserId;
  name: string;
  role: Role;
  facilityCode: FacilityCode;
}

/** Registration details. Optional fields are absent (never empty strings) when unknown. */
export interface Demographics {
  givenName: string;
  familyName: string;
  sex: Sex;
  birthDate: IsoDate;
  birthDateEstimated: boolean;
  phone?: string;
  region?: string;
  district?: string;
  ward?: string;
  maritalStatus?: MaritalStatus;
  preferredLanguage?: Language;
  supporterKind?: SupporterKind;
  supporterName?: string;
  supporterPhone?: string;
  hivTestDate?: IsoDate;
  artStartDate?: IsoDate;
  whoStage?: WhoStage;
}

export type PatientStatus = 'active' | 'transferred_out' | 'died' | 'stopped';

/** A change of status. Patients are never deleted; their status changes. */
export interface StatusChange {
  status: PatientStatus;
  date: IsoDate;
  /** Required when transferred out: the facility name or code the patient moved to. */
  toFacility?: string;
  note?: string;
}

export type VisitType = 'clinic' | 'home' | 'community';
export type YesNoUnknown = 'yes' | 'no' | 'unknown';
export type TbScreen = 'positive' | 'negative' | 'not_done';
export type ArvStatus =
  'start' | 'continue' | 'substitute' | 'switch' | 'stop' | 'restart' | 'not_on_art';
export type DaysSupplied = 30 | 60 | 90;
export type Adherence = 'good' | 'fair' | 'poor';

export interface Visit {
  date: IsoDate;
  facilityCode: FacilityCode;
  visitType: VisitType;
  weightKg?: number;
  heightCm?: number;
  bpSystolic?: number;
  bpDiastolic?: number;
  /** Only for female patients. */
  pregnant?: YesNoUnknown;
  breastfeeding?: YesNoUnknown;
  tbScreen: TbScreen;
  /** Symptom codes from the vocabulary. */
  symptoms: string[];
  /** Free-text symptoms not in the vocabulary. */
  otherSymptoms?: string;
  comorbidities?: string;
  arvStatus: ArvStatus;
  /** Reason code; required when arvStatus is not `continue` or `not_on_art`. */
  arvReason?: string;
  /** Regimen code dispensed, e.g. `1r-A`. */
  regimen?: string;
  daysSupplied?: DaysSupplied;
  /** Number of packs/bottles dispensed. */
  quantity?: number;
  /** Codes of other medicines dispensed (cotrimoxazole, TPT, fluconazole, other). */
  otherMedicines: string[];
  otherMedicinesNote?: string;
  adherence?: Adherence;
  pillsMissed?: number;
  /** Investigation codes ordered at this visit. */
  investigationsOrdered: string[];
  /** Required when any medicine is dispensed. */
  nextAppointment?: IsoDate;
  notes?: string;
}

export type ResultValue =
  { kind: 'numeric'; value: number; unit: string } | { kind: 'categorical'; value: string };

export interface LabResult {
  /** Investigation code, e.g. `viral_load`. */
  investigation: string;
  sampleDate: IsoDate;
  resultDate: IsoDate;
  value: ResultValue;
  facilityCode: FacilityCode;
  note?: string;
}

export interface Appointment {
  date: IsoDate;
  purpose: 'clinic' | 'refill' | 'lab';
  note?: string;
}

/** Policy numbers from domain.md; settings with these defaults. */
export interface FollowUpPolicy {
  graceDays: number;
  ltfuDays: number;
}

export const defaultFollowUpPolicy: FollowUpPolicy = { graceDays: 7, ltfuDays: 28 };

/**
 * A validation failure as data: which field, which rule, and the numbers the message needs.
 * The UI turns it into a sentence in the user's language (`errors.<rule>`).
 */
export interface FieldIssue {
  field: string;
  rule: ValidationRule;
  params?: Record<string, string | number>;
}

export type ValidationRule =
  | 'required'
  | 'invalid_format'
  | 'invalid_date'
  | 'date_in_future'
  | 'date_in_past'
  | 'date_before_birth'
  | 'date_before'
  /** Later than a limit: `params.date` and, for a limit set by another field, `params.field`. */
  | 'date_after'
  | 'too_short'
  | 'too_long'
  | 'min_value'
  | 'max_value'
  | 'not_integer'
  | 'not_in_list'
  | 'not_allowed_for_sex'
  | 'reason_required'
  | 'appointment_required'
  | 'digits_exact'
  /** A value given where another answer rules it out (`params.field` names that answer). */
  | 'not_applicable';

/** Who wrote an entry, where and when. Every clinical entry carries one. */
export interface Stamp {
  userId: UserId;
  userName: string;
  role: Role;
  deviceId: DeviceId;
  facilityCode: FacilityCode;
  at: IsoDateTime;
}

export type EntryKind =
  'visit' | 'result' | 'appointment' | 'status' | 'demographics' | 'tracing' | 'alert_ack';

export type TracingMethod = 'phone' | 'home_visit' | 'treatment_supporter';
export type TracingOutcome =
  'will_return' | 'transferred_elsewhere' | 'died' | 'stopped' | 'not_found';

/**
 * One attempt to reach a patient who missed an appointment or is lost to follow-up (issue 10).
 * An outcome is recorded only when the patient (or someone for them) was reached, except
 * `not_found`, which is the outcome of an attempt that reached nobody who knew.
 */
export interface Tracing {
  date: IsoDate;
  facilityCode: FacilityCode;
  method: TracingMethod;
  reached: boolean;
  outcome?: TracingOutcome;
  note?: string;
}

export type AlertAction = 'acknowledge' | 'override';

/**
 * A clinician's answer to a decision-support alert. `alertKey` names the facts the alert was
 * raised on (see src/domain/care/evaluate.ts), so the answer silences that alert only until
 * the facts change.
 */
export interface AlertAck {
  ruleId: string;
  alertKey: string;
  action: AlertAction;
  reason: string;
  date: IsoDate;
}

/** Demographic fields changed by one edit, with the values before and after. */
export interface DemographicsEdit {
  changes: Array<{ field: keyof Demographics; from: unknown; to: unknown }>;
}

export interface EntryDataByKind {
  visit: Visit;
  result: LabResult;
  appointment: Appointment;
  status: StatusChange;
  demographics: DemographicsEdit;
  tracing: Tracing;
  alert_ack: AlertAck;
}

/**
 * An immutable, append-only record. A correction is a new entry whose `supersedes` names the
 * entry it replaces; both stay in the history.
 */
export interface Entry<K extends EntryKind = EntryKind> {
  id: EntryId;
  kind: K;
  stamp: Stamp;
  supersedes?: EntryId;
  data: EntryDataByKind[K];
}
