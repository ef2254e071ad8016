/**
 * Realistic patient documents for the WebRTC bench: a registration with a full set of
 * demographics and five quarterly visits, written with the app's own patient-doc functions so the
 * updates have the size and shape of real ones. Content is a pure function of the index (seeded),
 * so every scenario moves the same records (the signed ones stamp them with their own device).
 */
import type * as Y from 'yjs';
import { appendEntry, initPatientDoc } from '../../src/crdt/patient-doc';
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
} from '../../src/domain/types';
import { createSeededRandom, type Random } from '../../src/lib/deps';

export const BENCH_FACILITY = '12010001' as FacilityCode;
export const VISITS_PER_PATIENT = 5;

const givenFemale = ['Zaituni', 'Neema', 'Rehema', 'Upendo', 'Amina', 'Halima', 'Mwanaidi'];
const givenMale = ['Baraka', 'Juma', 'Hamisi', 'Saidi', 'Emmanuel', 'Joseph', 'Daudi'];
const familyNames = ['Mwakyusa', 'Mwamba', 'Ally', 'Kapinga', 'Massawe', 'Mushi', 'Njau', 'Lyimo'];
const wards = ['Iyela', 'Ruanda', 'Sisimba', 'Iganzo', 'Nsalaga', 'Itezi'];
const regimens = ['1r-A', '1r-B', '2r-A'];
const clinicians = ['Neema Mushi', 'Baraka Mwamba', 'Rehema Njau'];

export const ctcIdOf = (index: number): CtcId =>
  `${BENCH_FACILITY}${String(index + 1).padStart(6, '0')}` as CtcId;

export const patientIdOf = (index: number): string => `patient:${ctcIdOf(index)}`;

const pick = <T>(random: Random, list: readonly T[]): T =>
  list[Math.floor(random.next() * list.length)] as T;

/** A version-4-shaped UUID from the seeded stream, as `crypto.randomUUID()` gives the app. */
function uuid(random: Random): EntryId {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(random.next() * 16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}` as EntryId;
}

const isoDate = (epochDay: number): IsoDate =>
  new Date(epochDay * 86_400_000).toISOString().slice(0, 10) as IsoDate;

const phone = (random: Random): string =>
  `+255 7${String(Math.floor(random.next() * 1e8)).padStart(8, '0')}`;

function stamp(random: Random, date: IsoDate, deviceId: DeviceId): Stamp {
  const slot = Math.floor(random.next() * clinicians.length);
  return {
    userId: `user-${slot + 1}` as UserId,
    userName: clinicians[slot] ?? 'Neema Mushi',
    role: 'clinician',
    deviceId,
    facilityCode: BENCH_FACILITY,
    at: `${date}T0${7 + Math.floor(random.next() * 3)}:${String(Math.floor(random.next() * 60)).padStart(2, '0')}:00.000Z` as IsoDateTime,
  };
}

function visit(random: Random, female: boolean, date: IsoDate, first: boolean): Visit {
  const symptomatic = random.next() < 0.2;
  const nextDay = Date.parse(date) / 86_400_000 + 90;
  return {
    date,
    facilityCode: BENCH_FACILITY,
    visitType: 'clinic',
    weightKg: Math.round((45 + random.next() * 30) * 10) / 10,
    ...(first ? { heightCm: 150 + Math.floor(random.next() * 30) } : {}),
    bpSystolic: 105 + Math.floor(random.next() * 30),
    bpDiastolic: 65 + Math.floor(random.next() * 20),
    ...(female ? { pregnant: 'no' as const, breastfeeding: 'no' as const } : {}),
    tbScreen: 'negative',
    symptoms: symptomatic ? [pick(random, ['cough', 'fever', 'diarrhoea'])] : [],
    arvStatus: first ? 'start' : 'continue',
    ...(first ? { arvReason: 'newly_diagnosed' } : {}),
    regimen: pick(random, regimens),
    daysSupplied: 90,
    quantity: 3,
    otherMedicines: random.next() < 0.5 ? ['cotrimoxazole'] : [],
    adherence: random.next() < 0.85 ? 'good' : 'fair',
    pillsMissed: Math.floor(random.next() * 3),
    investigationsOrdered: random.next() < 0.3 ? ['viral_load'] : [],
    nextAppointment: isoDate(nextDay),
    ...(symptomatic ? { notes: 'Advised to return earlier if symptoms persist.' } : {}),
  };
}

/** The device the unsigned set-ups stamp entries with (a signed change must name its signer). */
export const BENCH_AUTHOR = 'bench-device-a' as DeviceId;

/**
 * Patient `index` as the six events a clinician records (registration, then five visits), each
 * a change of its own. Every random draw happens here, in a fixed order, so the content depends
 * on the index (and the stamping device) only.
 */
export function patientEvents(
  index: number,
  deviceId: DeviceId = BENCH_AUTHOR,
): ((doc: Y.Doc) => void)[] {
  const random = createSeededRandom(10_000 + index);
  const female = random.next() < 0.6;
  const firstVisitDay = 20_089 + Math.floor(random.next() * 60); // early 2025
  const registered = isoDate(firstVisitDay);
  const demographics: Demographics = {
    givenName: pick(random, female ? givenFemale : givenMale),
    familyName: pick(random, familyNames),
    sex: female ? 'female' : 'male',
    birthDate: isoDate(firstVisitDay - 365 * (20 + Math.floor(random.next() * 40))),
    birthDateEstimated: random.next() < 0.1,
    phone: phone(random),
    region: 'Mbeya',
    district: 'Mbeya City',
    ward: pick(random, wards),
    maritalStatus: pick(random, ['single', 'married', 'widowed'] as const),
    preferredLanguage: 'sw',
    supporterKind: 'family',
    supporterName: `${pick(random, givenFemale)} ${pick(random, familyNames)}`,
    supporterPhone: phone(random),
    hivTestDate: isoDate(firstVisitDay - 7),
    artStartDate: registered,
    whoStage: pick(random, [1, 2] as const),
  };
  const registration = {
    ctcId: ctcIdOf(index),
    primaryFacility: BENCH_FACILITY,
    demographics,
    stamp: stamp(random, registered, deviceId),
    entryId: uuid(random),
  };
  const events: ((doc: Y.Doc) => void)[] = [(doc) => initPatientDoc(doc, registration)];
  for (let n = 0; n < VISITS_PER_PATIENT; n++) {
    const date = isoDate(firstVisitDay + n * 90);
    const entry: Entry<'visit'> = {
      id: uuid(random),
      kind: 'visit',
      stamp: stamp(random, date, deviceId),
      data: visit(random, female, date, n === 0),
    };
    events.push((doc) => appendEntry(doc, entry));
  }
  return events;
}

/** Writes patient `index` (registration + five visits) into `doc`, one transaction per event. */
export function writePatient(doc: Y.Doc, index: number): void {
  for (const event of patientEvents(index)) doc.transact(() => event(doc));
}

/**
 * A later visit of patient `index` (the `nth` after the seeded five), as a clinician records one
 * on a clinic day: seeded like the others, so every run writes the same bytes.
 */
export function laterVisitEvent(
  index: number,
  nth: number,
  deviceId: DeviceId = BENCH_AUTHOR,
): (doc: Y.Doc) => void {
  const random = createSeededRandom(90_000 + index * 97 + nth);
  const female = random.next() < 0.6;
  const date = isoDate(20_089 + 60 + (VISITS_PER_PATIENT + nth) * 90);
  const entry: Entry<'visit'> = {
    id: uuid(random),
    kind: 'visit',
    stamp: stamp(random, date, deviceId),
    data: visit(random, female, date, false),
  };
  return (doc) => appendEntry(doc, entry);
}
