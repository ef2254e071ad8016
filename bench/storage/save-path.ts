/**
 * The app's save path in the browser (issue 9 point 7): a clinician's visit saved through the
 * ClinicService (patient record and its register summary, signed, over the Dexie store), the
 * register summary written alone through the DocumentRepository, and two baselines in the same
 * page: the adapter's own `commit` of a visit-sized update, and a raw strict IndexedDB put.
 * Each save runs all four, the order rotating from save to save, so no measure always goes first.
 */
import * as Y from 'yjs';
import { createClinicService } from '../../src/app/clinic-service';
import { sequentialIds } from '../../src/app/ids';
import type { ClinicService } from '../../src/app/views';
import { patientDocId, registerDocId } from '../../src/crdt/doc-id';
import { upsertSummary } from '../../src/crdt/register-doc';
import { DocumentRepository } from '../../src/crdt/repository';
import { createChangeSigner } from '../../src/crdt/trust/change-signer';
import { deviceClientIds } from '../../src/crdt/trust/client-ids';
import { createDeviceKey, deviceIdFromPublicKey } from '../../src/crdt/trust/device-key';
import type { CtcId, FacilityCode, IsoDate, IsoDateTime } from '../../src/domain/types';
import { createDexieStore, type DexieStore } from '../../src/storage/dexie-store';
import { requestPersistence, storageUsage } from '../../src/storage/quota';
import { digitsOnly, searchTokens } from '../../src/lib/text';

const FACILITY = '12010001' as FacilityCode;
/** Baseline documents live under another facility, so they never touch the app's register. */
const BASELINE_FACILITY = '12019999';
const clock = { now: () => Date.parse('2026-03-14T09:00:00.000Z') };

export const saveMeasures = [
  'service_record_visit',
  'repository_register_write',
  'adapter_commit',
  'raw_idb_put',
] as const;
export type SaveMeasure = (typeof saveMeasures)[number];

interface SavePath {
  store: DexieStore;
  repo: DocumentRepository;
  service: ClinicService;
  patients: CtcId[];
  raw: IDBDatabase;
  scratch: Y.Doc;
  saves: number;
}

let open: SavePath | undefined;

const NAMES = ['Amina', 'Baraka', 'Neema', 'Juma', 'Rehema', 'Hamisi', 'Zawadi', 'Salma', 'Imani'];
const FAMILIES = ['Mwakyusa', 'Mushi', 'Kimaro', 'Mrema', 'Swai', 'Lyimo', 'Massawe', 'Temba'];

const visitInput = (n: number) => ({
  date: '2026-03-14',
  visitType: 'clinic',
  weightKg: String(50 + (n % 20)),
  tbScreen: 'negative',
  symptoms: [],
  arvStatus: 'continue',
  regimen: '1r-A',
  daysSupplied: '90',
  otherMedicines: [],
  investigationsOrdered: [],
  adherence: 'good',
  nextAppointment: '2026-06-12',
  note: `Visit ${n}: feeling well, no complaints.`,
});

function openRaw(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('pamoja-bench-raw', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('updates');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('raw open failed'));
  });
}

/** The baseline of every save: one strict-durability IndexedDB put of the same bytes. */
function rawPut(db: IDBDatabase, key: string, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('updates', 'readwrite', { durability: 'strict' });
    tx.objectStore('updates').put(bytes, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('raw put failed'));
    tx.onabort = () => reject(tx.error ?? new Error('raw put aborted'));
  });
}

/**
 * Sets up a device as the app does (signed changes, Dexie store) and registers `held` patients
 * through the service, so the register it then updates is as large as a clinic's.
 */
export async function setupSavePath(held: number): Promise<{ ms: number; held: number }> {
  const start = performance.now();
  const store = createDexieStore({ name: 'pamoja-bench-save', clock });
  await store.open();
  const key = await createDeviceKey({ algorithm: 'Ed25519' });
  const deviceId = await deviceIdFromPublicKey(key.publicKey);
  const repo = new DocumentRepository({
    store,
    clock,
    clientId: (await deviceClientIds(key.publicKey))[0]!,
    signChange: createChangeSigner(key, deviceId),
  });
  const service = createClinicService({
    repo,
    store,
    clock,
    ids: sequentialIds('bench'),
    storage: { usage: () => storageUsage(), requestPersistence: () => requestPersistence() },
    deviceId,
  });
  const profile = await service.setupDevice({
    facilityName: 'Iyela CTC',
    facilityCode: FACILITY,
    district: 'Mbeya City',
    region: 'Mbeya',
    userName: 'Neema Mushi',
    role: 'clinician',
    deviceSlot: '1',
    language: 'en',
  });
  if (!profile.ok) throw new Error('save path: device setup failed');
  const patients: CtcId[] = [];
  for (let n = 0; n < held; n++) {
    const saved = await service.registerPatient(
      {
        givenName: NAMES[n % NAMES.length]!,
        familyName: FAMILIES[Math.floor(n / NAMES.length) % FAMILIES.length]!,
        sex: n % 2 === 0 ? 'female' : 'male',
        birthDate: '1990-04-12',
        birthDateEstimated: false,
        phone: '+255 712 345 678',
      },
      { acknowledgeDuplicate: true },
    );
    if (!saved.ok) throw new Error(`registration ${n}: ${JSON.stringify(saved.error)}`);
    patients.push(saved.value);
  }
  open = {
    store,
    repo,
    service,
    patients,
    raw: await openRaw(),
    scratch: new Y.Doc(),
    saves: 0,
  };
  return { ms: performance.now() - start, held };
}

/** A visit-sized change of a baseline patient document, as the adapter stores one. */
function baselineVisit(path: SavePath, n: number) {
  const before = Y.encodeStateVector(path.scratch);
  path.scratch.transact(() => {
    const visit = new Y.Map<unknown>();
    for (const [field, value] of Object.entries(visitInput(n))) visit.set(field, value);
    path.scratch.getArray('entries').push([visit]);
  });
  return {
    update: Y.encodeStateAsUpdate(path.scratch, before),
    stateVector: Y.encodeStateVector(path.scratch),
  };
}

async function runMeasure(path: SavePath, measure: SaveMeasure, n: number): Promise<number> {
  const ctcId = path.patients[(n * 7) % path.patients.length]!;
  switch (measure) {
    case 'service_record_visit': {
      const start = performance.now();
      const saved = await path.service.recordVisit(ctcId, visitInput(n));
      const ms = performance.now() - start;
      if (!saved.ok) throw new Error(`visit ${n}: ${JSON.stringify(saved.error)}`);
      return ms;
    }
    case 'repository_register_write': {
      // A new patient's summary, as a registration writes it (an unchanged summary, or an
      // older last visit, would be no change at all and store nothing).
      const listed = `${FACILITY}${String(900_000 + n).padStart(6, '0')}` as CtcId;
      const start = performance.now();
      await path.repo.write(registerDocId(FACILITY), (doc) =>
        upsertSummary(doc, {
          ctcId: listed,
          givenName: NAMES[n % NAMES.length]!,
          familyName: FAMILIES[n % FAMILIES.length]!,
          sex: n % 2 === 0 ? 'female' : 'male',
          birthYear: 1990,
          status: 'active',
          registeredAt: new Date(clock.now()).toISOString() as IsoDateTime,
        }),
      );
      return performance.now() - start;
    }
    case 'adapter_commit': {
      const baselineId = `${BASELINE_FACILITY}${String(n % 1000).padStart(6, '0')}` as CtcId;
      const { update, stateVector } = baselineVisit(path, n);
      const start = performance.now();
      await path.store.commit({
        docId: patientDocId(baselineId),
        kind: 'patient',
        update,
        stateVector,
        projection: {
          patient: {
            ctcId: baselineId,
            primaryFacility: BASELINE_FACILITY as FacilityCode,
            givenName: 'Neema',
            familyName: 'Mushi',
            nameTokens: searchTokens('Neema', 'Mushi'),
            phoneDigits: digitsOnly('+255 712 345 678'),
            sex: 'female',
            birthDate: '1990-04-12' as IsoDate,
            status: 'active',
            nextAppointment: '2026-06-12' as IsoDate,
            updatedAt: new Date(clock.now()).toISOString() as IsoDateTime,
          },
        },
      });
      return performance.now() - start;
    }
    case 'raw_idb_put': {
      const { update } = baselineVisit(path, n);
      const start = performance.now();
      await rawPut(path.raw, `raw-${n}`, update);
      return performance.now() - start;
    }
  }
}

/** One round: `saves` saves, each running every measure, in an order rotating per save. */
export async function savePathRound(saves: number): Promise<Record<SaveMeasure, number[]>> {
  const path = open;
  if (!path) throw new Error('save path: set up first');
  const samples = Object.fromEntries(saveMeasures.map((m) => [m, [] as number[]])) as Record<
    SaveMeasure,
    number[]
  >;
  for (let s = 0; s < saves; s++) {
    const n = path.saves++;
    for (let k = 0; k < saveMeasures.length; k++) {
      const measure = saveMeasures[(n + k) % saveMeasures.length]!;
      samples[measure].push(await runMeasure(path, measure, n));
    }
  }
  return samples;
}
