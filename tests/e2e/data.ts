/**
 * The people and places the e2e tests type in. Values are as a clinician would type them
 * (phone with spaces, names with accents), so search and validation see realistic input.
 */

export interface DeviceDetails {
  facilityName: string;
  facilityCode: string;
  region: string;
  district: string;
  userName: string;
  role: string;
  deviceSlot: string;
}

export const clinicDevice: DeviceDetails = {
  facilityName: 'Mwananyamala Hospital CTC',
  facilityCode: '07010123',
  region: 'Dar es Salaam',
  district: 'Kinondoni',
  userName: 'Neema Mushi',
  role: 'clinician',
  deviceSlot: '7',
};

/** The first CTC ID device slot 7 of facility 07010123 hands out. */
export const firstCtcId = '07010123070001';
export const firstCtcIdGrouped = '07-01-0123-070001';

export interface PatientDetails {
  givenName: string;
  familyName: string;
  sex: 'female' | 'male';
  birthDate: string;
  phone?: string;
  ward?: string;
  maritalStatus?: string;
  supporterKind?: string;
  supporterName?: string;
  hivTestDate?: string;
  artStartDate?: string;
  whoStage?: string;
}

export const zaituni: PatientDetails = {
  givenName: 'Zaïtuni',
  familyName: 'Mwakaléle',
  sex: 'female',
  birthDate: '1988-04-12',
  phone: '0712 345 678',
  ward: 'Kijitonyama',
  maritalStatus: 'married',
  supporterKind: 'family',
  supporterName: 'Baraka Said',
  hivTestDate: '2015-03-02',
  artStartDate: '2015-03-20',
  whoStage: '2',
};

export const juma: PatientDetails = {
  givenName: 'Juma',
  familyName: 'Kessy',
  sex: 'male',
  birthDate: '1979-09-30',
};

export const halima: PatientDetails = {
  givenName: 'Halima',
  familyName: 'Nyerere',
  sex: 'female',
  birthDate: '1995-01-17',
  phone: '0754 111 222',
};

/** `YYYY-MM-DD` plus whole days, in UTC arithmetic (calendar dates have no time zone). */
export function addDays(date: string, days: number): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + days);
  return next.toISOString().slice(0, 10);
}
