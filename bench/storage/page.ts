/**
 * Runs inside headless Chromium (bundled by run.mjs). Stores the same patient documents with
 * y-indexeddb (one IndexedDB database per document) and with the Dexie store (one database
 * for all), and reports timings measured in the page. The app's save path (ClinicService,
 * DocumentRepository over the Dexie store, against the adapter and raw IndexedDB) is in
 * save-path.ts.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { createDexieStore, type DexieStore } from '../../src/storage/dexie-store';
import { patientDocId } from '../../src/crdt/doc-id';
import type { PatientRow } from '../../src/crdt/ports';
import type { CtcId, FacilityCode, IsoDate, IsoDateTime } from '../../src/domain/types';
import { createSeededRandom } from '../../src/lib/deps';
import { digitsOnly, searchTokens } from '../../src/lib/text';
import { savePathRound, setupSavePath } from './save-path';

const facility = '12010001' as FacilityCode;
const givenNames = ['Zaituni', 'Baraka', 'Neema', 'Juma', 'Rehema', 'Hamisi', 'Upendo', 'Saidi'];
const familyNames = ['Mwakyusa', 'Mwamba', 'Ally', 'Kapinga', 'Massawe', 'Mushi', 'Njau', 'Lyimo'];

const ctcIdOf = (i: number): CtcId => `${facility}${String(i + 1).padStart(6, '0')}` as CtcId;
const yIdbName = (i: number) => `bench-patient-${ctcIdOf(i)}`;

interface Patient {
  ctcId: CtcId;
  givenName: string;
  familyName: string;
  phone: string;
  birthDate: string;
  nextAppointment: string;
}

function patient(i: number): Patient {
  const random = createSeededRandom(1000 + i);
  const pick = (list: string[]) => list[Math.floor(random.next() * list.length)] ?? '';
  const day = (n: number) => String(1 + (n % 28)).padStart(2, '0');
  return {
    ctcId: ctcIdOf(i),
    givenName: pick(givenNames),
    familyName: pick(familyNames),
    phone: `+255 7${String(Math.floor(random.next() * 1e8)).padStart(8, '0')}`,
    birthDate: `19${60 + (i % 40)}-0${1 + (i % 9)}-${day(i)}`,
    nextAppointment: `2025-0${1 + (i % 9)}-${day(i * 7)}`,
  };
}

/** ~12 demographic fields and 3 visits: the size of a typical patient after a few months. */
function fillPatientDoc(doc: Y.Doc, p: Patient): void {
  doc.transact(() => {
    const demographics = doc.getMap('demographics');
    const fields: Record<string, string | boolean | number> = {
      ctcId: p.ctcId,
      givenName: p.givenName,
      familyName: p.familyName,
      sex: 'female',
      birthDate: p.birthDate,
      birthDateEstimated: false,
      phone: p.phone,
      region: 'Mbeya',
      district: 'Mbeya City',
      ward: 'Iyela',
      maritalStatus: 'married',
      preferredLanguage: 'sw',
      schemaVersion: 1,
    };
    for (const [key, value] of Object.entries(fields)) demographics.set(key, value);
    const visits = doc.getArray('visits');
    for (let v = 0; v < 3; v += 1) {
      visits.push([
        {
          id: `${p.ctcId}-v${v}`,
          date: `2024-0${v + 1}-15`,
          facility,
          weightKg: 60 + v,
          whoStage: 1,
          arvStatus: 'continue',
          regimen: 'TDF+3TC+DTG',
          daysSupplied: 30,
          adherence: 'good',
          nextAppointment: p.nextAppointment,
          author: 'user-1',
          device: 'device-1',
        },
      ]);
    }
  });
}

function patientRow(p: Patient): PatientRow {
  return {
    ctcId: p.ctcId,
    primaryFacility: facility,
    givenName: p.givenName,
    familyName: p.familyName,
    nameTokens: searchTokens(p.givenName, p.familyName),
    phoneDigits: digitsOnly(p.phone),
    sex: 'female',
    birthDate: p.birthDate as IsoDate,
    status: 'active',
    nextAppointment: p.nextAppointment as IsoDate,
    updatedAt: new Date().toISOString() as IsoDateTime,
  };
}

/** The loaded document must hold what was written, or the timing means nothing. */
function holdsPatient(doc: Y.Doc, i: number): boolean {
  const p = patient(i);
  return (
    doc.getMap('demographics').get('familyName') === p.familyName &&
    doc.getArray('visits').length === 3
  );
}

let dexie: DexieStore | undefined;
async function dexieStore(): Promise<DexieStore> {
  if (!dexie) {
    dexie = createDexieStore({ name: 'pamoja-bench' });
    await dexie.open();
  }
  return dexie;
}

async function writeDexieOne(i: number): Promise<void> {
  const store = await dexieStore();
  const p = patient(i);
  const doc = new Y.Doc();
  fillPatientDoc(doc, p);
  await store.commit({
    docId: patientDocId(p.ctcId),
    kind: 'patient',
    update: Y.encodeStateAsUpdate(doc),
    stateVector: Y.encodeStateVector(doc),
    projection: { patient: patientRow(p) },
  });
  doc.destroy();
}

async function loadDexieOne(i: number): Promise<boolean> {
  const store = await dexieStore();
  const doc = new Y.Doc();
  const updates = await store.loadUpdates(patientDocId(ctcIdOf(i)));
  Y.transact(doc, () => {
    for (const update of updates) Y.applyUpdate(doc, update);
  });
  const ok = holdsPatient(doc, i);
  doc.destroy();
  return ok;
}

/** As an app using y-indexeddb would: attach persistence to a new document, then edit it. */
async function writeYIdbOne(i: number): Promise<void> {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(yIdbName(i), doc);
  await persistence.whenSynced;
  fillPatientDoc(doc, patient(i));
  // y-indexeddb exposes no promise for the write; closing waits for pending transactions.
  await persistence.destroy();
  doc.destroy();
}

async function loadYIdbOne(i: number): Promise<boolean> {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(yIdbName(i), doc);
  await persistence.whenSynced;
  const ok = holdsPatient(doc, i);
  await persistence.destroy();
  doc.destroy();
  return ok;
}

const approaches = {
  dexie: { write: writeDexieOne, load: loadDexieOne },
  yIndexeddb: { write: writeYIdbOne, load: loadYIdbOne },
};
export type Approach = keyof typeof approaches;

async function timed<T>(body: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await body();
  return { ms: performance.now() - start, value };
}

const bench = {
  async writeRange(approach: Approach, from: number, to: number) {
    const { ms } = await timed(async () => {
      for (let i = from; i < to; i += 1) await approaches[approach].write(i);
    });
    return { ms };
  },
  async loadRange(approach: Approach, from: number, to: number) {
    const { ms, value } = await timed(async () => {
      let failures = 0;
      for (let i = from; i < to; i += 1) if (!(await approaches[approach].load(i))) failures += 1;
      return failures;
    });
    return { ms, failures: value };
  },
  async loadOne(approach: Approach, i: number) {
    const { ms, value } = await timed(() => approaches[approach].load(i));
    return { ms, ok: value };
  },
  setupSavePath,
  savePathRound,
  async estimate() {
    const { usage, quota } = await navigator.storage.estimate();
    return { usage: usage ?? 0, quota: quota ?? 0 };
  },
  async databaseCount() {
    return (await indexedDB.databases()).length;
  },
};

declare global {
  interface Window {
    pamojaBench: typeof bench;
  }
}
window.pamojaBench = bench;
