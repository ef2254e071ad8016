/**
 * Labels for every enumerated value of ./types.ts. Built with `vocabFrom` so a value added to a
 * union without a label is a compile error.
 */
import type {
  Adherence,
  AlertAction,
  Appointment,
  ArvStatus,
  DaysSupplied,
  Language,
  MaritalStatus,
  PatientStatus,
  Role,
  Sex,
  SupporterKind,
  TbScreen,
  TracingMethod,
  TracingOutcome,
  VisitType,
  WhoStage,
  YesNoUnknown,
} from '../types';
import { vocabFrom, type VocabItem } from './label';

export type AppointmentPurpose = Appointment['purpose'];

export const sexes = vocabFrom<Sex>({
  female: { en: 'Female', sw: 'Mwanamke' },
  male: { en: 'Male', sw: 'Mwanamume' },
});

export const roles = vocabFrom<Role>({
  clinician: { en: 'Clinician', sw: 'Tabibu' },
  pharmacist: { en: 'Pharmacist / dispenser', sw: 'Mfamasia / mtoa dawa' },
  lab: { en: 'Laboratory', sw: 'Mtaalamu wa maabara' },
  data_clerk: { en: 'Data clerk', sw: 'Karani wa takwimu' },
  supervisor: { en: 'Supervisor', sw: 'Msimamizi' },
});

export const maritalStatuses = vocabFrom<MaritalStatus>({
  single: { en: 'Single', sw: 'Hajaoa / hajaolewa' },
  married: { en: 'Married', sw: 'Ameoa / ameolewa' },
  cohabiting: { en: 'Cohabiting', sw: 'Wanaishi pamoja' },
  divorced_separated: { en: 'Divorced / separated', sw: 'Ameachika / wametengana' },
  widowed: { en: 'Widowed', sw: 'Mjane / mgane' },
});

export const languages = vocabFrom<Language>({
  sw: { en: 'Swahili', sw: 'Kiswahili' },
  en: { en: 'English', sw: 'Kiingereza' },
});

export const supporterKinds = vocabFrom<SupporterKind>({
  none: { en: 'None', sw: 'Hakuna' },
  family: { en: 'Family member', sw: 'Mwanafamilia' },
  friend: { en: 'Friend', sw: 'Rafiki' },
  partner: { en: 'Partner / spouse', sw: 'Mwenza / mume / mke' },
  community_group: { en: 'Community group', sw: 'Kikundi cha kijamii' },
});

export const visitTypes = vocabFrom<VisitType>({
  clinic: { en: 'Clinic', sw: 'Kliniki' },
  home: { en: 'Home visit', sw: 'Ziara ya nyumbani' },
  community: { en: 'Community', sw: 'Jamii' },
});

export const yesNoUnknown = vocabFrom<YesNoUnknown>({
  yes: { en: 'Yes', sw: 'Ndiyo' },
  no: { en: 'No', sw: 'Hapana' },
  unknown: { en: 'Unknown', sw: 'Haijulikani' },
});

export const tbScreenResults = vocabFrom<TbScreen>({
  negative: { en: 'Negative (no symptoms)', sw: 'Hasi (hakuna dalili)' },
  positive: { en: 'Positive (TB symptoms)', sw: 'Chanya (dalili za TB)' },
  not_done: { en: 'Not done', sw: 'Haijafanyika' },
});

export const adherenceLevels = vocabFrom<Adherence>({
  good: { en: 'Good', sw: 'Nzuri' },
  fair: { en: 'Fair', sw: 'Wastani' },
  poor: { en: 'Poor', sw: 'Duni' },
});

export const patientStatuses = vocabFrom<PatientStatus>({
  active: { en: 'Active', sw: 'Anahudhuria' },
  transferred_out: { en: 'Transferred out', sw: 'Amehamishwa' },
  died: { en: 'Died', sw: 'Amefariki' },
  stopped: { en: 'Stopped treatment', sw: 'Ameacha matibabu' },
});

export const appointmentPurposes = vocabFrom<AppointmentPurpose>({
  clinic: { en: 'Clinic review', sw: 'Kuonana na tabibu' },
  refill: { en: 'Medicine refill', sw: 'Kuchukua dawa' },
  lab: { en: 'Laboratory test', sw: 'Kipimo cha maabara' },
});

export const tracingMethods = vocabFrom<TracingMethod>({
  phone: { en: 'Phone call', sw: 'Simu' },
  home_visit: { en: 'Home visit', sw: 'Ziara ya nyumbani' },
  treatment_supporter: {
    en: 'Through the treatment supporter',
    sw: 'Kupitia msaidizi wa matibabu',
  },
});

export const tracingOutcomes = vocabFrom<TracingOutcome>({
  will_return: { en: 'Will return to care', sw: 'Atarudi kliniki' },
  transferred_elsewhere: { en: 'Attending another clinic', sw: 'Anahudhuria kliniki nyingine' },
  died: { en: 'Died', sw: 'Amefariki' },
  stopped: { en: 'Stopped treatment', sw: 'Ameacha matibabu' },
  not_found: { en: 'Not found', sw: 'Hakupatikana' },
});

export const tracingReached = vocabFrom<'reached' | 'not_reached'>({
  reached: { en: 'Reached', sw: 'Amepatikana' },
  not_reached: { en: 'Not reached', sw: 'Hakupatikana' },
});

export const alertActions = vocabFrom<AlertAction>({
  acknowledge: { en: 'Acknowledged', sw: 'Imepokelewa' },
  override: { en: 'Overridden', sw: 'Imepuuzwa kwa sababu' },
});

/** Labels of `ArvStatus`; the reasons each status takes are in ./arv-status.ts. */
export const arvStatusLabels = vocabFrom<ArvStatus>({
  start: { en: 'Start ART', sw: 'Anza ARV' },
  continue: { en: 'Continue', sw: 'Endelea' },
  substitute: { en: 'Substitute (same line)', sw: 'Badilisha dawa (mstari ule ule)' },
  switch: { en: 'Switch (to next line)', sw: 'Hamia mstari unaofuata' },
  stop: { en: 'Stop', sw: 'Sitisha' },
  restart: { en: 'Restart', sw: 'Anza tena' },
  not_on_art: { en: 'Not on ART', sw: 'Hayuko kwenye ARV' },
});

export const whoStages: VocabItem<WhoStage>[] = [
  { code: 1, label: { en: 'WHO stage 1', sw: 'Hatua ya 1 (WHO)' } },
  { code: 2, label: { en: 'WHO stage 2', sw: 'Hatua ya 2 (WHO)' } },
  { code: 3, label: { en: 'WHO stage 3', sw: 'Hatua ya 3 (WHO)' } },
  { code: 4, label: { en: 'WHO stage 4', sw: 'Hatua ya 4 (WHO)' } },
];

export const daysSuppliedOptions: VocabItem<DaysSupplied>[] = [
  { code: 30, label: { en: '30 days', sw: 'Siku 30' } },
  { code: 60, label: { en: '60 days', sw: 'Siku 60' } },
  { code: 90, label: { en: '90 days', sw: 'Siku 90' } },
];
