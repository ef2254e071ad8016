/**
 * Stored bytes per patient (issue 9 point 5): N patients, each registered and seen at 12 typical
 * visits through the app's own `ClinicService` over the app's signed repository on the Dexie
 * store (fake-indexeddb in Node: the rows are the ones Chromium would store; only IndexedDB's
 * own overhead on disk differs), counted per table as structured sizes of the rows, before and
 * after every stored document is compacted. Baseline in the same run: the same data as JSON
 * (each record's snapshot and its register summary), as bench/app measures it.
 * Usage: npx tsx bench/storage/bytes-per-patient.ts [--patients 40] [--out bench/results/storage.json]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createAppRepository } from '../../src/app/app-repository';
import { createClinicService } from '../../src/app/clinic-service';
import { sequentialIds } from '../../src/app/ids';
import { createTrustService } from '../../src/app/trust-service';
import { docKind, patientDocId, registerDocId } from '../../src/crdt/doc-id';
import { readPatient } from '../../src/crdt/patient-doc';
import { registerPatients } from '../../src/crdt/register-doc';
import { deviceClientIds } from '../../src/crdt/trust/client-ids';
import {
  createDeviceKey,
  createWebCryptoVerifier,
  deviceIdFromPublicKey,
} from '../../src/crdt/trust/device-key';
import { createDexieStore } from '../../src/storage/dexie-store';
import {
  BENCH_SETUP,
  OWN_FACILITY,
  addDays,
  personAt,
  registrationInput,
  visitInput,
} from '../app/data';
import { recordBytes } from '../app/raw-idb';

const VISITS = 12;

/** Bytes per table; `updates` and `changes` also per document kind (patient, register, …). */
async function tableBytes(indexedDB: IDBFactory, name: string): Promise<Record<string, number>> {
  const db = new Dexie(name, { indexedDB, IDBKeyRange });
  await db.open();
  const sizes: Record<string, number> = {};
  try {
    for (const table of db.tables) {
      for (const row of (await table.toArray()) as Array<{ docId?: string }>) {
        const key =
          (table.name === 'updates' || table.name === 'changes' || table.name === 'packs') &&
          row.docId
            ? `${table.name}.${docKind(row.docId as never)}`
            : table.name;
        sizes[key] = (sizes[key] ?? 0) + recordBytes(row);
      }
    }
  } finally {
    db.close();
  }
  return sizes;
}

/** Keys are disjoint (split tables appear only split), so the total is their sum. */
const sum = (sizes: Record<string, number>) => Object.values(sizes).reduce((a, n) => a + n, 0);

export interface BytesResult {
  stored_bytes_per_patient_12_visits: number;
  json_bytes_per_patient_12_visits: number;
  details: Record<string, unknown>;
}

export async function measureBytesPerPatient(patients: number): Promise<BytesResult> {
  const indexedDB = new IDBFactory();
  const name = 'pamoja-bytes';
  let now = Date.parse('2025-01-06T08:00:00.000Z');
  const clock = { now: () => now };
  const store = createDexieStore({ name, indexedDB, IDBKeyRange, clock });
  const key = await createDeviceKey({ algorithm: 'Ed25519' });
  const deviceId = await deviceIdFromPublicKey(key.publicKey);
  const verifier = createWebCryptoVerifier();
  const ref: { trust?: Awaited<ReturnType<typeof createTrustService>> } = {};
  const repo = createAppRepository({
    store,
    clock,
    key,
    deviceId,
    verifier,
    trust: () => ref.trust,
    clientId: (await deviceClientIds(key.publicKey))[0]!,
    // As create-app.ts configures the app's repository.
    options: { compactPatientsAfter: 4 },
  });
  ref.trust = await createTrustService({
    repo,
    store,
    clock,
    key,
    verifier,
    logger: { log: () => undefined },
  });
  const service = createClinicService({
    repo,
    store,
    clock,
    ids: sequentialIds('bytes'),
    storage: {
      usage: () => Promise.resolve({ usageBytes: 0, quotaBytes: 0, persisted: false }),
      requestPersistence: () => Promise.resolve(false),
    },
    deviceId,
    writesNothing: () => false,
    readScope: () => undefined,
    onProfileReady: () => Promise.resolve(),
  });
  const set = await service.setupDevice(BENCH_SETUP);
  if (!set.ok) throw new Error(`setup failed: ${JSON.stringify(set.error)}`);
  const empty = await tableBytes(indexedDB, name);

  for (let i = 0; i < patients; i += 1) {
    now = Date.parse('2025-01-06T08:00:00.000Z') + i * 60_000;
    const person = personAt(i, 500);
    const saved = await service.registerPatient(registrationInput(person), {
      acknowledgeDuplicate: true,
    });
    if (!saved.ok) throw new Error(`registration ${i}: ${JSON.stringify(saved.error)}`);
    for (let v = 0; v < VISITS; v += 1) {
      const date = addDays('2025-01-06', 28 * (v + 1));
      now = Date.parse(`${date}T09:00:00.000Z`) + i * 60_000;
      const visit = await service.recordVisit(
        saved.value,
        visitInput(i * 31 + v, date, person.sex),
      );
      if (!visit.ok) throw new Error(`visit ${v} of ${i}: ${JSON.stringify(visit.error)}`);
      // Visits are weeks apart: what the app compacts after a save has finished by the next.
      await repo.idle();
    }
  }
  // Compaction runs after saves resolve (off the save path): let it finish before counting.
  await repo.idle();
  const seeded = await tableBytes(indexedDB, name);

  let jsonBytes = 0;
  const register = await repo.get(registerDocId(OWN_FACILITY));
  for (const [ctcId, summary] of registerPatients(register)) {
    const doc = await repo.get(patientDocId(ctcId as never));
    jsonBytes += JSON.stringify(readPatient(doc)).length + JSON.stringify(summary.toJSON()).length;
  }

  // As the app compacts (its own changes coalesced, ST1), every stored document once.
  for (const info of await store.listDocs()) await repo.compact(info.docId);
  await repo.idle();
  const compacted = await tableBytes(indexedDB, name);
  await store.close();

  const net = (sizes: Record<string, number>) => sum(sizes) - sum(empty);
  const perPatient = (sizes: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(sizes).map(([k, n]) => [k, Math.round((n - (empty[k] ?? 0)) / patients)]),
    );
  return {
    // As the app leaves them: what it compacted after each save (off the save path) is done.
    stored_bytes_per_patient_12_visits: Math.round(net(seeded) / patients),
    json_bytes_per_patient_12_visits: Math.round(jsonBytes / patients),
    details: {
      patients,
      visits_per_patient: VISITS,
      method:
        'ClinicService, signed, Dexie on fake-indexeddb; structured row sizes (binary by ' +
        'byteLength, the rest as JSON) net of an empty set-up device; "<table>.<kind>" splits ' +
        'a table by document kind; the app compacts after saves, off the save path, and each ' +
        'save waits for that to finish before the next (visits are weeks apart)',
      as_left_by_the_app_bytes_per_patient: Math.round(net(seeded) / patients),
      after_compacting_every_document_bytes_per_patient: Math.round(net(compacted) / patients),
      by_table_as_left_by_the_app: perPatient(seeded),
      by_table_after_compacting_every_document: perPatient(compacted),
      ratio_to_json: Math.round((net(seeded) / jsonBytes) * 100) / 100,
    },
  };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const { values } = parseArgs({
    options: {
      patients: { type: 'string', default: '40' },
      out: { type: 'string', default: join(root, 'bench/results/storage.json') },
    },
  });
  const result = await measureBytesPerPatient(Number(values.patients));
  console.log(JSON.stringify(result, null, 2));
  // Merged into the storage results beside the keys run.mjs writes.
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(await readFile(values.out, 'utf8')) as Record<string, unknown>;
  } catch {
    existing = {};
  }
  existing.stored_bytes_per_patient_12_visits = result.stored_bytes_per_patient_12_visits;
  existing.json_bytes_per_patient_12_visits = result.json_bytes_per_patient_12_visits;
  existing.storedBytes = { measuredAt: new Date().toISOString(), ...result.details };
  await writeFile(values.out, `${JSON.stringify(existing, null, 2)}\n`);
}
