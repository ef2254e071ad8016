/**
 * Runs inside headless Chromium (bundled by run.ts): the app as `createClinicApp` builds it
 * (Dexie store, signed repository, trust service, clinic service) on an on-disk profile, seeded
 * and measured against raw IndexedDB and in-memory baselines in the same page. Method:
 * bench/README.md (App section).
 */
import { stampOf } from '../../src/app/clinic-service';
import { createClinicApp, type ClinicApp } from '../../src/app/create-app';
import { randomIds } from '../../src/app/ids';
import { patientDocId, registerDocId } from '../../src/crdt/doc-id';
import { appendEntry, initPatientDoc, readPatient } from '../../src/crdt/patient-doc';
import { initRegisterDoc, registerPatients, upsertSummary } from '../../src/crdt/register-doc';
import type { DirectoryRow, PatientRow } from '../../src/crdt/ports';
import type { DocChange } from '../../src/crdt/repository';
import { validateDemographics } from '../../src/domain/schemas/demographics';
import { validateVisit } from '../../src/domain/schemas/visit';
import type { Entry, EntryId, IsoDate, IsoDateTime, Stamp } from '../../src/domain/types';
import { digitsOnly, searchTokens } from '../../src/lib/text';
import {
  BENCH_SETUP,
  OWN_FACILITY,
  addDays,
  ctcIdAt,
  otherFacility,
  personAt,
  registrationInput,
  visitInput,
} from './data';
import { databaseBytes, getAllOf, readStartupStores, strictPut } from './raw-idb';

let app: ClinicApp | undefined;
const today = (): string => new Date().toISOString().slice(0, 10);
const must = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} missing`);
  return value;
};

async function open(databaseName: string, clock?: { now(): number }): Promise<ClinicApp> {
  const opened = await createClinicApp({ databaseName, ...(clock ? { clock } : {}) });
  if (!opened.service.profile()) {
    const set = await opened.service.setupDevice(BENCH_SETUP);
    if (!set.ok) throw new Error(`setup failed: ${JSON.stringify(set.error)}`);
  }
  return opened;
}

function stampAt(at: string): Stamp {
  return stampOf(must(app?.service.profile(), 'profile'), at as IsoDateTime);
}

/**
 * Held patients [from, to) with `visits` monthly visits each, in one `writeMany`: per patient
 * the registration and each visit are separate changes (signed, as the service makes them),
 * and the batch's register summaries one change of the own register.
 */
async function seedOwn(from: number, to: number, visits: number): Promise<number> {
  const a = must(app, 'app');
  const start = performance.now();
  const changes: DocChange[] = [];
  const summaries: Parameters<typeof upsertSummary>[1][] = [];
  for (let i = from; i < to; i += 1) {
    const ctcId = ctcIdAt(OWN_FACILITY, i);
    const person = personAt(i);
    const first = addDays(today(), -28 * (visits + 1));
    const demographics = validateDemographics(registrationInput(person), {
      today: first as IsoDate,
    });
    if (!demographics.ok) throw new Error(`patient ${i}: ${JSON.stringify(demographics.error)}`);
    const registeredAt = `${first}T08:00:00.000Z`;
    changes.push({
      docId: patientDocId(ctcId),
      mutate: (doc) =>
        initPatientDoc(doc, {
          ctcId,
          primaryFacility: OWN_FACILITY,
          demographics: demographics.value,
          stamp: stampAt(registeredAt),
          entryId: randomIds.next() as EntryId,
        }),
    });
    let lastVisitDate: string | undefined;
    for (let v = 0; v < visits; v += 1) {
      const date = addDays(first, 28 * (v + 1));
      const visit = validateVisit(visitInput(i * 31 + v, date, person.sex), {
        today: date as IsoDate,
        facilityCode: OWN_FACILITY,
        birthDate: demographics.value.birthDate,
        sex: person.sex,
      });
      if (!visit.ok) throw new Error(`visit of ${i}: ${JSON.stringify(visit.error)}`);
      const entry = {
        id: randomIds.next() as EntryId,
        kind: 'visit',
        stamp: stampAt(`${date}T09:30:00.000Z`),
        data: visit.value,
      } as Entry;
      changes.push({ docId: patientDocId(ctcId), mutate: (doc) => appendEntry(doc, entry) });
      lastVisitDate = date;
    }
    summaries.push({
      ctcId,
      givenName: person.givenName,
      familyName: person.familyName,
      sex: person.sex,
      birthYear: Number(person.birthDate.slice(0, 4)),
      status: 'active',
      registeredAt: registeredAt as IsoDateTime,
      ...(lastVisitDate
        ? { lastVisitDate: lastVisitDate as IsoDate, lastVisitFacility: OWN_FACILITY }
        : {}),
    });
  }
  changes.push({
    docId: registerDocId(OWN_FACILITY),
    mutate: (doc) => {
      initRegisterDoc(doc, OWN_FACILITY);
      for (const summary of summaries) upsertSummary(doc, summary);
    },
  });
  await a.repo.writeMany(changes);
  return performance.now() - start;
}

/**
 * Directory rows of other facilities: rows [from, to) of the district beyond the own register,
 * 9,999 per facility, written to those facilities' registers through this app's repository.
 */
async function seedOthers(from: number, to: number): Promise<number> {
  const a = must(app, 'app');
  const start = performance.now();
  const byFacility = new Map<number, number[]>();
  for (let j = from; j < to; j += 1) {
    const f = Math.floor(j / 9999);
    const list = byFacility.get(f) ?? [];
    list.push(j % 9999);
    byFacility.set(f, list);
  }
  const changes: DocChange[] = [];
  for (const [f, indexes] of byFacility) {
    const facility = otherFacility(f);
    changes.push({
      docId: registerDocId(facility),
      mutate: (doc) => {
        initRegisterDoc(doc, facility);
        for (const i of indexes) {
          const person = personAt(i, 100 + f);
          upsertSummary(doc, {
            ctcId: ctcIdAt(facility, i),
            givenName: person.givenName,
            familyName: person.familyName,
            sex: person.sex,
            birthYear: Number(person.birthDate.slice(0, 4)),
            status: 'active',
            registeredAt: '2025-01-15T08:00:00.000Z' as IsoDateTime,
          });
        }
      },
    });
  }
  await a.repo.writeMany(changes);
  return performance.now() - start;
}

type SaveKind = 'visit' | 'result' | 'appointment' | 'registration';
let registrations = 0;

/** One save through the clinic service, timed until it resolves (durable). */
async function appSave(kind: SaveKind, patient: number): Promise<number> {
  const service = must(app, 'app').service;
  const ctcId = ctcIdAt(OWN_FACILITY, patient);
  const day = today();
  // A clinician saves from the patient's page: the record is open before the form is.
  if (kind !== 'registration') await service.getPatient(ctcId);
  const start = performance.now();
  let saved: { ok: boolean; error?: unknown };
  if (kind === 'visit') {
    saved = await service.recordVisit(ctcId, visitInput(patient, day, personAt(patient).sex));
  } else if (kind === 'result') {
    saved = await service.recordResult(ctcId, {
      investigation: 'viral_load',
      sampleDate: addDays(day, -7),
      resultDate: day,
      value: '40',
    });
  } else if (kind === 'appointment') {
    saved = await service.scheduleAppointment(ctcId, {
      date: addDays(day, 14),
      purpose: 'refill',
    });
  } else {
    registrations += 1;
    saved = await service.registerPatient(registrationInput(personAt(1_000_000 + registrations)), {
      acknowledgeDuplicate: true,
    });
  }
  const ms = performance.now() - start;
  if (!saved.ok) throw new Error(`${kind} not saved: ${JSON.stringify(saved.error)}`);
  return ms;
}

interface ScanRows {
  directory: DirectoryRow[];
  patients: PatientRow[];
}
let scanRows: ScanRows | undefined;

/**
 * The search baseline: every row of both indexes scanned in memory, a name query matching
 * when each query word is a prefix of a name word, digits matching a CTC ID prefix or phone
 * digits; the first 50 of each list kept. Rows are read once beforehand (not timed).
 */
function linearScan(query: string): number {
  const rows = must(scanRows, 'scan rows');
  const words = searchTokens(query);
  const digits = digitsOnly(query);
  const byName = words.length > 0 && digits.length === 0;
  const nameMatch = (tokens: string[]) =>
    words.every((word) => tokens.some((token) => token.startsWith(word)));
  const directory: DirectoryRow[] = [];
  for (const row of rows.directory) {
    const hit = byName ? nameMatch(row.nameTokens) : row.ctcId.startsWith(digits);
    if (hit && directory.length < 50) directory.push(row);
  }
  const held: PatientRow[] = [];
  for (const row of rows.patients) {
    const hit = byName
      ? nameMatch(row.nameTokens)
      : row.ctcId.startsWith(digits) || (row.phoneDigits ?? '').includes(digits);
    if (hit && held.length < 50) held.push(row);
  }
  return new Set([...directory, ...held].map((row) => row.ctcId)).size;
}

const bench = {
  async open(databaseName: string) {
    app = await open(databaseName);
    return { deviceId: must(app.service.profile(), 'profile').deviceId };
  },
  seedOwn,
  seedOthers,
  async count(databaseName: string, store: string) {
    return (await getAllOf(databaseName, store)).length;
  },
  /** One app save and one raw strict put, in the order given. */
  /**
   * One save and one raw put, in the order given. Each starts once the previous save's
   * background work (compaction, D24 and ST1) is done, as it is between a clinician's saves,
   * which are minutes apart; that work is timed on its own (`background_ms`), not hidden.
   */
  async savePair(kind: SaveKind, patient: number, appFirst: boolean) {
    const repo = must(app, 'app').repo;
    await repo.idle();
    const settle = async () => {
      const start = performance.now();
      await repo.idle();
      return performance.now() - start;
    };
    if (appFirst) {
      const app_ms = await appSave(kind, patient);
      const raw_ms = await strictPut();
      return { app_ms, raw_ms, background_ms: await settle() };
    }
    const raw_ms = await strictPut();
    const app_ms = await appSave(kind, patient);
    return { app_ms, raw_ms, background_ms: await settle() };
  },
  async loadScanRows(databaseName: string) {
    scanRows = {
      directory: (await getAllOf(databaseName, 'directory')) as DirectoryRow[],
      patients: (await getAllOf(databaseName, 'patients')) as PatientRow[],
    };
    return { directory: scanRows.directory.length, patients: scanRows.patients.length };
  },
  /** One keystroke: the app's search and the in-memory scan of the same query, in the order given. */
  async searchPair(query: string, appFirst: boolean) {
    const service = must(app, 'app').service;
    const timeApp = async () => {
      const start = performance.now();
      const hits = await service.search(query);
      return { ms: performance.now() - start, hits: hits.length };
    };
    const timeScan = () => {
      const start = performance.now();
      const hits = linearScan(query);
      return { ms: performance.now() - start, hits };
    };
    if (appFirst) {
      const a = await timeApp();
      return { app: a, scan: timeScan() };
    }
    const s = timeScan();
    return { app: await timeApp(), scan: s };
  },
  /** A fixed amount of work, to check that the CPU throttle is in force. */
  calibrate() {
    let best = Infinity;
    let x = 0;
    for (let run = 0; run < 5; run += 1) {
      const start = performance.now();
      for (let i = 0; i < 2_000_000; i += 1) x = (x + i * 7) % 1_000_003;
      best = Math.min(best, performance.now() - start);
    }
    return { ms: best, x };
  },
  /**
   * A fresh database, `patients` patients each registered and given 12 monthly visits through
   * the service, each on its own day (the app's clock is moved to it).
   */
  async bytesSeed(databaseName: string, patients: number, visits: number) {
    let now = Date.parse('2025-01-06T08:00:00.000Z');
    const clockApp = await open(databaseName, { now: () => now });
    const empty = Object.values(await databaseBytes(databaseName)).reduce((a, b) => a + b, 0);
    const start = performance.now();
    for (let i = 0; i < patients; i += 1) {
      now = Date.parse('2025-01-06T08:00:00.000Z') + i * 60_000;
      const person = personAt(i, 500);
      const saved = await clockApp.service.registerPatient(registrationInput(person), {
        acknowledgeDuplicate: true,
      });
      if (!saved.ok) throw new Error(`registration ${i}: ${JSON.stringify(saved.error)}`);
      for (let v = 0; v < visits; v += 1) {
        const date = addDays('2025-01-06', 28 * (v + 1));
        now = Date.parse(`${date}T09:00:00.000Z`) + i * 60_000;
        const visit = await clockApp.service.recordVisit(
          saved.value,
          visitInput(i * 31 + v, date, person.sex),
        );
        if (!visit.ok) throw new Error(`visit ${v} of ${i}: ${JSON.stringify(visit.error)}`);
        // Visits are weeks apart: the compaction a save schedules has run before the next one
        // (as in bench/storage/bytes-per-patient.ts).
        await clockApp.repo.idle();
      }
      await clockApp.repo.idle();
    }
    const seedMs = performance.now() - start;
    // The same data as JSON: each record's snapshot and its register summary.
    let jsonBytes = 0;
    const register = await clockApp.repo.get(registerDocId(OWN_FACILITY));
    for (const [ctcId, summary] of registerPatients(register)) {
      const doc = await clockApp.repo.get(patientDocId(ctcId as never));
      jsonBytes +=
        JSON.stringify(readPatient(doc)).length + JSON.stringify(summary.toJSON()).length;
    }
    await clockApp.close();
    return { seedMs, jsonBytes, emptyBytes: empty };
  },
  databaseBytes,
};

declare global {
  interface Window {
    pamojaAppBench: typeof bench;
    pamojaColdStart?:
      { ms: number; hits: number; rows?: number; stores?: string[] } | { error: string };
  }
}

export type AppBench = typeof bench;

/**
 * Cold start: a page opened with `?cold=app` builds the app and runs a first search; with
 * `?cold=raw` it reads the start-up stores raw. Both time from the page's navigation start.
 */
async function coldStart(params: URLSearchParams): Promise<void> {
  const databaseName = params.get('db') ?? 'pamoja-bench';
  const query = params.get('q') ?? 'mw';
  try {
    if (params.get('cold') === 'app') {
      const started = await createClinicApp({ databaseName });
      const hits = await started.service.search(query);
      window.pamojaColdStart = { ms: performance.now(), hits: hits.length };
    } else {
      const read = await readStartupStores(databaseName);
      window.pamojaColdStart = { ms: performance.now(), hits: read.rows, ...read };
    }
  } catch (error) {
    window.pamojaColdStart = { error: String(error) };
  }
}

// In the fragment: the bench server serves files by path and knows no query strings.
const params = new URLSearchParams(location.hash.slice(1));
if (params.has('cold')) void coldStart(params);
else window.pamojaAppBench = bench;
