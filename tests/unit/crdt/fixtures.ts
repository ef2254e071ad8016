import type {
  CtcId,
  Demographics,
  DeviceId,
  Entry,
  EntryId,
  FacilityCode,
  IsoDate,
  IsoDateTime,
  Stamp,
  UserId,
  Visit,
} from '../../../src/domain/types';

export const facilityA = '01020003' as FacilityCode;
export const facilityB = '01020004' as FacilityCode;
export const ctcA1 = '01020003010001' as CtcId;

export function stampAt(at: string, facilityCode: FacilityCode = facilityA): Stamp {
  return {
    userId: 'user-1' as UserId,
    userName: 'Neema Mushi',
    role: 'clinician',
    deviceId: 'device-1' as DeviceId,
    facilityCode,
    at: at as IsoDateTime,
  };
}

export const amina: Demographics = {
  givenName: 'Amina',
  familyName: 'Mwakyusa',
  sex: 'female',
  birthDate: '1990-04-12' as IsoDate,
  birthDateEstimated: false,
  phone: '+255 712 345 678',
};

export function visitOn(date: string, extra: Partial<Visit> = {}): Visit {
  return {
    date: date as IsoDate,
    facilityCode: facilityA,
    visitType: 'clinic',
    tbScreen: 'negative',
    symptoms: [],
    arvStatus: 'continue',
    regimen: '1r-A',
    daysSupplied: 30,
    otherMedicines: [],
    investigationsOrdered: [],
    ...extra,
  };
}

export function visitEntry(
  id: string,
  date: string,
  extra: Partial<Visit> = {},
  supersedes?: string,
): Entry<'visit'> {
  return {
    id: id as EntryId,
    kind: 'visit',
    stamp: stampAt(`${date}T09:00:00.000Z`),
    data: visitOn(date, extra),
    ...(supersedes ? { supersedes: supersedes as EntryId } : {}),
  };
}
