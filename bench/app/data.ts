/**
 * Seeded, realistic patient content for the app benchmark: names, phones, demographics and the
 * raw form values of a typical CTC visit (vitals, TB screen, ARVs, next appointment, a note).
 * Raw values go through the app's own validation, as a form's would.
 */
import type { DeviceSetupInput } from '../../src/app/views';
import type { CtcId, FacilityCode } from '../../src/domain/types';
import { maxCounter } from '../../src/domain/ctc-id';

export const OWN_FACILITY = '12010001' as FacilityCode;
/** The bench device's own serial block; seeded patients sit in slots 1… (other devices). */
export const OWN_SLOT = 90;

/** The bench device's setup form, the same for every bench that sets one up. */
export const BENCH_SETUP: DeviceSetupInput = {
  facilityName: 'Iyela CTC',
  facilityCode: OWN_FACILITY,
  district: 'Mbeya City',
  region: 'Mbeya',
  userName: 'Bench Clinician',
  role: 'clinician',
  deviceSlot: String(OWN_SLOT),
  language: 'en',
};

const GIVEN = [
  'Zaituni',
  'Baraka',
  'Neema',
  'Juma',
  'Rehema',
  'Hamisi',
  'Upendo',
  'Saidi',
  'Amina',
  'Imani',
  'Zawadi',
  'Salma',
  'Faraji',
  'Mwanaisha',
  'Athumani',
  'Esther',
];
const FAMILY = [
  'Mwakyusa',
  'Mwamba',
  'Ally',
  'Kapinga',
  'Massawe',
  'Mushi',
  'Njau',
  'Lyimo',
  'Kimaro',
  'Mrema',
  'Swai',
  'Temba',
  'Mbwambo',
  'Shirima',
  'Nyirenda',
  'Chande',
  'Mfinanga',
  'Kisanga',
  'Mollel',
  'Urassa',
];

/** Deterministic per index (a multiplicative hash), so every run seeds the same content. */
function mix(i: number, salt: number): number {
  let x = (i + 1) * 2654435761 + salt * 40503;
  x = Math.imul(x ^ (x >>> 15), 2246822519);
  x = Math.imul(x ^ (x >>> 13), 3266489917);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The i-th patient of a facility: slot 1 + i / 9999, as if several devices registered them. */
export function ctcIdAt(facility: string, i: number): CtcId {
  const slot = 1 + Math.floor(i / maxCounter);
  const counter = 1 + (i % maxCounter);
  return `${facility}${String(slot).padStart(2, '0')}${String(counter).padStart(4, '0')}` as CtcId;
}

export function otherFacility(f: number): FacilityCode {
  return `1202${String(f + 1).padStart(4, '0')}` as FacilityCode;
}

export interface PersonSeed {
  givenName: string;
  familyName: string;
  sex: 'female' | 'male';
  birthDate: string;
  phone: string;
}

export function personAt(i: number, salt = 0): PersonSeed {
  const h = mix(i, salt);
  const year = 1960 + (h % 45);
  const month = 1 + ((h >>> 8) % 12);
  const day = 1 + ((h >>> 12) % 28);
  return {
    givenName: GIVEN[h % GIVEN.length]!,
    familyName: FAMILY[(h >>> 5) % FAMILY.length]!,
    sex: (h >>> 3) % 2 === 0 ? 'female' : 'male',
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    phone: `+255 7${String(mix(i, salt + 1) % 100_000_000).padStart(8, '0')}`,
  };
}

export function registrationInput(p: PersonSeed): Record<string, unknown> {
  return { ...p, birthDateEstimated: false };
}

export const addDays = (iso: string, days: number): string =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const NOTES = [
  'Feeling well, no complaints.',
  'Mild headache last week, resolved.',
  'Adherence counselling given.',
  'Brought by treatment supporter.',
  'Asked about family planning.',
];

/** Raw form values of a typical monthly visit on `date`, next appointment 28 days later. */
export function visitInput(
  n: number,
  date: string,
  sex: 'female' | 'male',
): Record<string, unknown> {
  const h = mix(n, 7);
  return {
    date,
    visitType: 'clinic',
    weightKg: String(48 + (h % 30)),
    heightCm: String(150 + ((h >>> 4) % 35)),
    bpSystolic: String(105 + ((h >>> 8) % 30)),
    bpDiastolic: String(65 + ((h >>> 12) % 20)),
    ...(sex === 'female' ? { pregnant: 'no' } : {}),
    tbScreen: 'negative',
    symptoms: [],
    arvStatus: 'continue',
    regimen: '1r-A',
    daysSupplied: '30',
    quantity: '1',
    otherMedicines: [],
    adherence: 'good',
    pillsMissed: '0',
    investigationsOrdered: [],
    nextAppointment: addDays(date, 28),
    notes: NOTES[h % NOTES.length],
  };
}
