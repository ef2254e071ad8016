/**
 * Runs inside headless Chromium (bundled by run.ts): the app as `createClinicApp` builds it,
 * seeded through the clinic service (registrations, visits, viral loads, appointments), then the
 * monthly report and the follow-up lists computed from what is stored, against one raw IndexedDB
 * read of the rows those records are stored in. Method: bench/README.md (Report).
 */
import { careRecordOf } from '../../src/app/care-records';
import { createClinicApp, type ClinicApp } from '../../src/app/create-app';
import { patientDocId } from '../../src/crdt/doc-id';
import { readPatient } from '../../src/crdt/patient-doc';
import { followUpLists } from '../../src/domain/care/follow-up-lists';
import { monthlyReport, counts, type Month } from '../../src/domain/care/monthly-report';
import { careFacts, type CareFacts } from '../../src/domain/care/record';
import { summarizeFacts } from '../../src/domain/care/summary';
import { todayIso } from '../../src/domain/dates';
import type { IsoDate } from '../../src/domain/types';
import * as seeds from '../app/data';
import { getAllOf } from '../app/raw-idb';

/** The seeding clock: moved to each step's day, so entries are stamped when they happened. */
let now = Date.now();
const clock = { now: () => now };
let app: ClinicApp | undefined;
/** Records opened side by side; below the repository's cache of 200 open documents. */
const OPEN_BATCH = 50;

function opened(): ClinicApp {
  if (!app) throw new Error('open the app first');
  return app;
}

async function openApp(databaseName: string, seeding: boolean): Promise<string> {
  app = await createClinicApp({ databaseName, ...(seeding ? { clock } : {}) });
  if (!app.service.profile()) {
    const made = await app.service.setupDevice(seeds.BENCH_SETUP);
    if (!made.ok) throw new Error(`device setup: ${JSON.stringify(made.error)}`);
  }
  // The search index's start-up read runs beside the first screen; let it finish first, so
  // it is not timed as part of a measure.
  if (!seeding) await app.service.search('mw');
  return todayIso({ now: () => Date.now() });
}

/** Deterministic per patient and purpose, so every run seeds the same cohort. */
const roll = (i: number, salt: number): number => ((i + 1) * 2654435761 + salt * 97) % 1000;

function must<T>(saved: { ok: true; value: T } | { ok: false; error: unknown }, what: string): T {
  if (!saved.ok) throw new Error(`${what}: ${JSON.stringify(saved.error)}`);
  return saved.value;
}

/**
 * Patients [from, to), as one group sharing a calendar (the seeding clock is shared, so the
 * group's saves run side by side at one step at a time): registered `startDaysAgo` days ago
 * on ART, then a visit every 84 days (90 days' supply) until today. Per patient: about 1 in 10
 * stops coming after a visit (missed, then LTFU), a viral load 6 months after the start and
 * every 12 months after (1 in 8 is ≥ 1000 copies/mL), and 1 in 5 has a refill appointment
 * scheduled on its own.
 */
async function seedGroup(from: number, to: number, startDaysAgo: number): Promise<number> {
  const { service } = opened();
  const began = performance.now();
  const today = todayIso({ now: () => Date.now() });
  const start = seeds.addDays(today, -startDaysAgo);
  const people = Array.from({ length: to - from }, (_, k) => seeds.personAt(from + k, 900));
  const at = async <T>(day: string, run: (k: number) => Promise<T>): Promise<T[]> => {
    now = Date.parse(`${day}T10:00:00.000Z`);
    return Promise.all(people.map((_, k) => run(k)));
  };
  const ids = await at(start, async (k) =>
    must(
      await service.registerPatient(
        { ...seeds.registrationInput(people[k]!), artStartDate: start },
        { acknowledgeDuplicate: true },
      ),
      `registration ${from + k}`,
    ),
  );
  const stopsAfter = people.map((_, k) => (roll(from + k, 1) < 100 ? roll(from + k, 2) % 4 : 99));
  // Every later event of the group, run in the order of their days, as a clinic writes them (a
  // record's derived rows are projected as of the day of each write).
  const steps: Array<{ day: string; run: (k: number) => Promise<void> }> = [];
  for (let v = 0; seeds.addDays(start, 84 * v) <= today; v += 1) {
    const day = seeds.addDays(start, 84 * v);
    steps.push({
      day,
      run: async (k) => {
        if (v > stopsAfter[k]!) return;
        const visit = seeds.visitInput(from + k + v, day, people[k]!.sex);
        const input = { ...visit, daysSupplied: '90', nextAppointment: seeds.addDays(day, 84) };
        must(await service.recordVisit(ids[k]!, input), `visit ${v} of ${from + k}`);
      },
    });
    if (v !== 1) continue;
    steps.push({
      day: seeds.addDays(day, 3),
      run: async (k) => {
        if (roll(from + k, 3) >= 200 || v > stopsAfter[k]!) return;
        const appointment = { date: seeds.addDays(day, 56), purpose: 'refill' };
        must(await service.scheduleAppointment(ids[k]!, appointment), `appointment ${from + k}`);
      },
    });
  }
  for (let month = 6; seeds.addDays(start, 30 * month + 10) <= today; month += 12) {
    const sample = seeds.addDays(start, 30 * month);
    steps.push({
      day: seeds.addDays(sample, 10),
      run: async (k) => {
        // No sample from a patient who had stopped coming by then.
        if (Math.floor((30 * month) / 84) > stopsAfter[k]!) return;
        const high = roll(from + k, 4 + month) < 125;
        const copies = high ? 1000 + roll(from + k, 5) * 40 : roll(from + k, 6) % 3 ? 0 : 40;
        must(
          await service.recordResult(ids[k]!, {
            investigation: 'viral_load',
            sampleDate: sample,
            resultDate: seeds.addDays(sample, 10),
            value: String(copies),
          }),
          `viral load of ${from + k}`,
        );
      },
    });
  }
  steps.sort((x, y) => (x.day < y.day ? -1 : x.day > y.day ? 1 : 0));
  for (const step of steps) await at(step.day, step.run);
  now = Date.now();
  await opened().repo.idle();
  return performance.now() - began;
}

/**
 * The facility's records as the rules read them: its register rows, then each stored document,
 * opened a batch at a time (a screen would do the same: the reads of one batch overlap).
 */
async function storedFacts(today: IsoDate, split = { open_ms: 0, read_ms: 0 }) {
  const { service, repo } = opened();
  const rows = await service.facilityRegister(seeds.OWN_FACILITY);
  const facts: CareFacts[] = [];
  for (let i = 0; i < rows.length; i += OPEN_BATCH) {
    let mark = performance.now();
    const docs = await Promise.all(
      rows.slice(i, i + OPEN_BATCH).map((row) => repo.get(patientDocId(row.ctcId))),
    );
    split.open_ms += performance.now() - mark;
    mark = performance.now();
    for (const doc of docs) {
      const record = careRecordOf(readPatient(doc), today);
      if (record) facts.push(careFacts(record));
    }
    split.read_ms += performance.now() - mark;
  }
  return facts;
}

/** The month before today's: the latest complete month, what a facility reports on. */
function lastMonth(today: IsoDate): Month {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - 1;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

const bench = {
  open: (databaseName: string) => openApp(databaseName, false),
  openForSeeding: (databaseName: string) => openApp(databaseName, true),
  seedGroup,
  /**
   * The monthly report of the own facility for the last complete month, as the app computes
   * it: helper G's report service (`localReport`, which reads every own record on its first
   * call) when the app has one, else `reportFromRecords`. `path` says which was timed.
   */
  async report() {
    const reports = (opened() as Partial<ClinicApp>).reports;
    if (!reports) return { ...(await bench.reportFromRecords()), path: 'records → monthlyReport' };
    const today = todayIso({ now: () => Date.now() });
    const began = performance.now();
    const local = await reports.localReport(lastMonth(today));
    const ms = performance.now() - began;
    if (!local) throw new Error('no local report: is the bench device a facility device?');
    return {
      ms,
      path: 'report-service localReport',
      patients: local.records,
      counts: counts(local.report),
    };
  },
  /**
   * The same report straight from the records, with where the time goes: opening documents
   * (`repo.get`, 50 at a time), reading them (readPatient → careRecordOf → careFacts), and
   * `monthlyReport` itself.
   */
  async reportFromRecords() {
    const today = todayIso({ now: () => Date.now() });
    const split = { open_ms: 0, read_ms: 0, report_ms: 0 };
    const began = performance.now();
    const facts = await storedFacts(today, split);
    const mark = performance.now();
    const report = monthlyReport(facts, seeds.OWN_FACILITY, lastMonth(today), { today });
    const end = performance.now();
    split.report_ms = end - mark;
    return { ms: end - began, patients: facts.length, counts: counts(report), split };
  },
  /**
   * The follow-up lists as the app computes them: helper F's care service when the app has
   * one (its code fetched before timing, as it is by the time a clinician opens the lists),
   * else register rows → each record → summary → lists. `path` says which was timed.
   */
  async lists() {
    const today = todayIso({ now: () => Date.now() });
    const care = (opened() as Partial<ClinicApp>).care;
    if (care) {
      await import('../../src/app/care-service');
      const began = performance.now();
      const view = await care.followUp();
      const ms = performance.now() - began;
      return { ms, path: 'care-service followUp', counts: view.counts };
    }
    const began = performance.now();
    const summaries = (await storedFacts(today)).map((f) => summarizeFacts(f, today));
    const lists = followUpLists(summaries, today);
    return {
      ms: performance.now() - began,
      path: 'records → summarizeFacts → followUpLists',
      patients: summaries.length,
      counts: lists.counts,
    };
  },
  /** The baseline: every row of the stores a patient document lives in, one getAll each. */
  async rawRead(databaseName: string) {
    const began = performance.now();
    const read = await Promise.all(
      ['updates', 'packs', 'changes'].map((store) => getAllOf(databaseName, store)),
    );
    return {
      ms: performance.now() - began,
      rows: read.reduce((sum, rows) => sum + rows.length, 0),
    };
  },
  async close() {
    await opened().close();
    app = undefined;
  },
};

export type ReportBench = typeof bench;

declare global {
  interface Window {
    pamojaReportBench: ReportBench;
  }
}

window.pamojaReportBench = bench;
