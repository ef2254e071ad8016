import type { Demographics } from '../../domain/types';
import { toFormValues, type FormValues } from './values';

/** Every registration field of domain.md, empty. */
export const emptyDemographics: FormValues = {
  givenName: '',
  familyName: '',
  sex: '',
  birthDate: '',
  birthDateEstimated: false,
  phone: '',
  region: '',
  district: '',
  ward: '',
  maritalStatus: '',
  preferredLanguage: '',
  supporterKind: '',
  supporterName: '',
  supporterPhone: '',
  hivTestDate: '',
  artStartDate: '',
  whoStage: '',
};

export function demographicsToValues(demographics: Demographics): FormValues {
  return toFormValues(demographics, emptyDemographics);
}

/** Supporter name and phone mean nothing when there is no supporter. */
export function hiddenDemographics(values: FormValues): string[] {
  return values.supporterKind === '' || values.supporterKind === 'none'
    ? ['supporterName', 'supporterPhone']
    : [];
}
