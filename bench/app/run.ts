/**
 * `npm run bench:app` (issue 9 point 6): the app as it runs, in headless Chromium on an on-disk
 * profile, seeded through its own code; every figure against a baseline in the same page,
 * interleaved and repeated. Writes bench/results/app.json. Method: bench/README.md (App).
 *
 *   npx tsx bench/app/run.ts [--patients 10000] [--directory 50000] [--search-large 100000]
 *     [--cpu-throttle 4] [--rounds 3] [--small] [--check] [--out …]
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { launchOptions } from '../../scripts/chromium.mjs';
import { bundleBenchPage, serveDirectory } from '../browser-page.mjs';
import { checkRatios } from './check';
import { OWN_FACILITY, ctcIdAt, personAt } from './data';
import type { AppBench } from './page';
import { round, summarise, type DidNotFinish, type Measure, type Paired } from './stats';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    small: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    patients: { type: 'string' },
    directory: { type: 'string' },
    'search-large': { type: 'string' },
    visits: { type: 'string', default: '3' },
    'bytes-patients': { type: 'string' },
    rounds: { type: 'string', default: '3' },
    saves: { type: 'string' },
    'cpu-throttle': { type: 'string', default: '4' },
    'timeout-seconds': { type: 'string', default: '60' },
    out: { type: 'string', default: join(root, 'bench/results/app.json') },
  },
});
const small = args.small ?? false;
const PATIENTS = Number(args.patients ?? (small ? 500 : 10_000));
const DIRECTORY = Number(args.directory ?? (small ? 2_000 : 50_000));
const SEARCH_LARGE = Number(args['search-large'] ?? (small ? 4_000 : 100_000));
const VISITS = Number(args.visits);
const BYTES_PATIENTS = Number(args['bytes-patients'] ?? (small ? 40 : 100));
const ROUNDS = Math.max(3, Number(args.rounds));
const SAVES = Number(args.saves ?? (small ? 8 : 12));
const THROTTLE = Number(args['cpu-throttle']);
const TIMEOUT_MS = Number(args['timeout-seconds']) * 1000;
const DB = 'pamoja-bench';

const log = (message: string): void =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

declare global {
  interface Window {
    pamojaAppBench: AppBench;
  }
}

class GaveUp extends Error {}

function within<T>(promise: Promise<T>, what: string, ms = TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GaveUp(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

let context: BrowserContext;
let url: string;

/** Every other page closed, then a new one at `path`, throttled from its first script on. */
async function freshPage(path = '', rate = THROTTLE): Promise<Page> {
  for (const open of context.pages()) await open.close();
  const page = await context.newPage();
  page.on('pageerror', (error) => log(`page error: ${error.message}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  await page.goto(`${url}${path}`);
  return page;
}

async function benchPage(rate: number): Promise<Page> {
  const page = await freshPage('', rate);
  await page.waitForFunction(() => 'pamojaAppBench' in window);
  await within(
    page.evaluate((db) => window.pamojaAppBench.open(db), DB),
    'open',
    10 * TIMEOUT_MS,
  );
  return page;
}

const results: Record<string, unknown> = {};
const details: Record<string, unknown> = {};
let failures = 0;

function dnf(key: string, reached: string, error: unknown): void {
  const entry: DidNotFinish = { did_not_finish: true, reached };
  results[key] = entry;
  failures += 1;
  log(`${key}: did not finish (${reached}): ${String(error)}`);
}

async function seed(
  page: Page,
  label: string,
  total: number,
  batch: number,
  step: (from: number, to: number) => Promise<number>,
): Promise<void> {
  let ms = 0;
  for (let from = 0; from < total; from += batch) {
    ms += await within(
      step(from, Math.min(total, from + batch)),
      `${label} ${from}`,
      20 * TIMEOUT_MS,
    );
    if ((from / batch) % 10 === 0) log(`${label}: ${Math.min(total, from + batch)}/${total}`);
  }
  details[`seed_${label}`] = {
    rows: total,
    ms: Math.round(ms),
    ms_per_row: round(ms / Math.max(1, total), 3),
  };
  void page;
}

/** Saves through the service against raw strict puts, interleaved and alternating order. */
async function measureSaves(page: Page): Promise<void> {
  const kinds = ['visit', 'result', 'appointment', 'registration'] as const;
  const samples = Object.fromEntries(
    kinds.map((k): [string, Paired] => [k, { app: [], base: [] }]),
  );
  let patient = 17;
  const background: number[] = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    for (const kind of kinds) {
      const app: number[] = [];
      const base: number[] = [];
      const count = kind === 'visit' ? SAVES : Math.max(2, Math.floor(SAVES / 4));
      for (let s = 0; s < count; s += 1) {
        patient = (patient * 7919 + 13) % PATIENTS;
        const pair = await within(
          page.evaluate(([k, p, first]) => window.pamojaAppBench.savePair(k, p, first), [
            kind,
            patient,
            (s + r) % 2 === 0,
          ] as const),
          `${kind} save`,
        );
        app.push(pair.app_ms);
        base.push(pair.raw_ms);
        background.push(pair.background_ms);
      }
      samples[kind]!.app.push(app);
      samples[kind]!.base.push(base);
    }
    log(`save round ${r + 1}/${ROUNDS}`);
  }
  const visit = summarise(samples.visit!);
  results.save = visit.figures;
  details.save = {
    ...visit.details,
    baseline: 'one 1.2 KB record put in a strict-durability IndexedDB transaction, same page',
    method:
      "each save starts once the previous save's background compaction is done (saves are minutes apart); that background work is timed after each save as background_ms",
    background_ms: summarise({ app: [background], base: [background] }).figures.p50_ms,
    background_p95_ms: summarise({ app: [background], base: [background] }).figures.p95_ms,
    others: Object.fromEntries(
      kinds.filter((k) => k !== 'visit').map((k) => [k, summarise(samples[k]!)]),
    ),
  };
}

/** The keystrokes typed: a name letter by letter, a CTC ID digit by digit, a phone number. */
function keystrokes(): { kind: string; text: string }[] {
  const person = personAt(0);
  const name = `${person.givenName} ${person.familyName}`.toLowerCase();
  const ctcId = ctcIdAt(OWN_FACILITY, Math.min(PATIENTS - 1, 1234));
  const phone = personAt(3).phone.replace(/\D/g, '');
  const prefixes = (text: string) =>
    [...text].map((_, i) => text.slice(0, i + 1)).filter((q) => q.trim().length > 0);
  return [
    ...prefixes(name).map((text) => ({ kind: 'name', text })),
    ...prefixes(ctcId).map((text) => ({ kind: 'ctc', text })),
    ...prefixes(phone).map((text) => ({ kind: 'phone', text })),
  ];
}

async function measureSearch(page: Page, key: string): Promise<void> {
  const rows = await page.evaluate((db) => window.pamojaAppBench.loadScanRows(db), DB);
  const samples: Paired = { app: [], base: [] };
  const byKind: Record<string, number[]> = {};
  const keys = keystrokes();
  let done = 0;
  try {
    for (let r = 0; r < ROUNDS; r += 1) {
      const app: number[] = [];
      const base: number[] = [];
      for (const [i, stroke] of keys.entries()) {
        const pair = await within(
          page.evaluate(([q, first]) => window.pamojaAppBench.searchPair(q, first), [
            stroke.text,
            (i + r) % 2 === 0,
          ] as const),
          `search "${stroke.text}"`,
        );
        app.push(pair.app.ms);
        base.push(pair.scan.ms);
        (byKind[stroke.kind] ??= []).push(pair.app.ms);
        done += 1;
      }
      samples.app.push(app);
      samples.base.push(base);
    }
  } catch (error) {
    dnf(key, `${done} of ${ROUNDS * keys.length} keystrokes`, error);
    details[key] = { rows };
    return;
  }
  const summary = summarise(samples);
  results[key] = summary.figures;
  details[key] = {
    ...summary.details,
    rows,
    keystrokes_per_round: keys.length,
    app_p95_by_kind: Object.fromEntries(
      Object.entries(byKind).map(([kind, values]) => [
        kind,
        summarise({ app: [values], base: [values] }).figures.p95_ms,
      ]),
    ),
  };
}

/** Fresh page loads of the same profile: the app to its first results, against a raw read. */
async function measureColdStart(): Promise<void> {
  const samples: Paired = { app: [], base: [] };
  const query = personAt(0).familyName.slice(0, 3).toLowerCase();
  let reached = 0;
  let stores: unknown;
  try {
    for (let r = 0; r < ROUNDS; r += 1) {
      const order = r % 2 === 0 ? ['app', 'raw'] : ['raw', 'app'];
      const times: Record<string, number> = {};
      for (const mode of order) {
        const page = await freshPage(`#cold=${mode}&db=${DB}&q=${query}`);
        const handle = await within(
          page.waitForFunction(() => window.pamojaColdStart, undefined, {
            timeout: 0,
            polling: 100,
          }),
          `cold start ${mode}`,
          3 * TIMEOUT_MS,
        );
        const value = (await handle.jsonValue()) as {
          ms?: number;
          hits?: number;
          stores?: string[];
          error?: string;
        };
        if (value.error || value.ms === undefined) throw new Error(`${mode}: ${value.error}`);
        if (mode === 'app' && !value.hits) throw new Error('cold start search found nothing');
        if (mode === 'raw') stores = value.stores;
        times[mode] = value.ms;
      }
      samples.app.push([times.app!]);
      samples.base.push([times.raw!]);
      reached += 1;
      log(
        `cold start round ${r + 1}: app ${Math.round(times.app!)} ms, raw ${Math.round(times.raw!)} ms`,
      );
    }
  } catch (error) {
    dnf('cold_start', `${reached} of ${ROUNDS} rounds`, error);
    return;
  }
  const summary = summarise(samples);
  results.cold_start = summary.figures;
  details.cold_start = {
    ...summary.details,
    query,
    baseline: 'a fresh page load reading every row of these stores with one getAll each',
    baseline_stores: stores,
  };
}

async function measureBytes(): Promise<void> {
  const page = await freshPage('', 1);
  await page.waitForFunction(() => 'pamojaAppBench' in window);
  const db = 'pamoja-bench-bytes';
  const seeded = await within(
    page.evaluate(([name, n]) => window.pamojaAppBench.bytesSeed(name, n, 12), [
      db,
      BYTES_PATIENTS,
    ] as const),
    'bytes seed',
    30 * TIMEOUT_MS,
  );
  const perStore = await page.evaluate((name) => window.pamojaAppBench.databaseBytes(name), db);
  const total = Object.values(perStore).reduce((sum, n) => sum + n, 0);
  results.stored_bytes_per_patient_12_visits = Math.round(total / BYTES_PATIENTS);
  details.stored_bytes = {
    patients: BYTES_PATIENTS,
    visits_per_patient: 12,
    total_bytes: total,
    bytes_by_store: perStore,
    empty_device_bytes: seeded.emptyBytes,
    net_bytes_per_patient: Math.round((total - seeded.emptyBytes) / BYTES_PATIENTS),
    json_bytes_per_patient: Math.round(seeded.jsonBytes / BYTES_PATIENTS),
    ratio_to_json: round((total - seeded.emptyBytes) / seeded.jsonBytes),
    seed_ms_per_service_write: round(seeded.seedMs / (BYTES_PATIENTS * 13)),
  };
}

interface WireResult {
  catchup: Measure;
  air_bytes_per_day: number;
  details: Record<string, unknown>;
}

async function measureWireIfThere(): Promise<void> {
  const path = join(root, 'bench/app/wire.ts');
  if (!existsSync(path)) {
    dnf('catchup', 'bench/app/wire.ts is missing', 'not measured');
    results.air_bytes_per_day = { did_not_finish: true, reached: 'bench/app/wire.ts is missing' };
    return;
  }
  try {
    const wire = (await import(path)) as {
      measureWire(options: { small: boolean; cpuThrottle: number }): Promise<WireResult>;
    };
    const measured = await within(
      wire.measureWire({ small, cpuThrottle: THROTTLE }),
      'measureWire',
      20 * TIMEOUT_MS,
    );
    results.catchup = measured.catchup;
    results.air_bytes_per_day = measured.air_bytes_per_day;
    details.wire = measured.details;
  } catch (error) {
    dnf('catchup', 'measureWire failed', error);
    results.air_bytes_per_day = {
      did_not_finish: true,
      reached: `measureWire failed: ${String(error)}`,
    };
  }
}

async function phase(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!(name in results)) dnf(name, error instanceof GaveUp ? 'gave up' : 'failed', error);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  let runSeconds = 0;
  const bundleDir = await mkdtemp(join(tmpdir(), 'pamoja-bench-app-page-'));
  const profile = await mkdtemp(join(tmpdir(), 'pamoja-bench-app-profile-'));
  const served = await serveDirectory(bundleDir);
  url = served.url;
  try {
    log('bundling the bench page');
    await bundleBenchPage('bench/app/page.ts', bundleDir, 'app bench');
    context = await chromium.launchPersistentContext(profile, {
      ...launchOptions(),
      headless: true,
    });
    results.patients = PATIENTS;
    results.directory_rows = DIRECTORY;
    results.cpu_throttle = THROTTLE;

    let page = await benchPage(1);
    const calm = await page.evaluate(() => window.pamojaAppBench.calibrate());
    log(`seeding ${PATIENTS} held patients with ${VISITS} visits each (writeMany, signed)`);
    await seed(page, 'held', PATIENTS, 250, (f, t) =>
      page.evaluate(([a, b, v]) => window.pamojaAppBench.seedOwn(a, b, v), [f, t, VISITS] as const),
    );
    page = await benchPage(THROTTLE);
    const throttled = await page.evaluate(() => window.pamojaAppBench.calibrate());
    details.throttle_check = {
      fixed_loop_ms_1x: round(calm.ms),
      fixed_loop_ms_throttled: round(throttled.ms),
      ratio: round(throttled.ms / calm.ms),
    };
    log(`throttle check: ${JSON.stringify(details.throttle_check)}`);
    await phase('search_10k', () => measureSearch(page, 'search_10k'));

    page = await benchPage(1);
    log(`seeding other facilities' registers to ${DIRECTORY} directory rows`);
    await seed(page, 'directory', DIRECTORY - PATIENTS, 2000, (f, t) =>
      page.evaluate(([a, b]) => window.pamojaAppBench.seedOthers(a, b), [f, t] as const),
    );
    details.directory_rows_counted = await page.evaluate(
      (db) => window.pamojaAppBench.count(db, 'directory'),
      DB,
    );
    page = await benchPage(THROTTLE);
    await phase('save', () => measureSaves(page));
    await phase('cold_start', measureColdStart);

    page = await benchPage(1);
    log(`seeding other facilities' registers to ${SEARCH_LARGE} directory rows`);
    await seed(page, 'directory_large', SEARCH_LARGE - PATIENTS, 2000, (f, t) =>
      page.evaluate(([a, b]) => window.pamojaAppBench.seedOthers(a, b), [
        DIRECTORY - PATIENTS + f,
        DIRECTORY - PATIENTS + t,
      ] as const),
    );
    page = await benchPage(THROTTLE);
    await phase('search_100k', () => measureSearch(page, 'search_100k'));

    log(`stored bytes: ${BYTES_PATIENTS} patients with 12 visits through the service`);
    await phase('stored_bytes_per_patient_12_visits', measureBytes);
    await context.close();

    log('catch-up and air bytes (bench/app/wire.ts)');
    await measureWireIfThere();
  } finally {
    served.server.close();
    await rm(bundleDir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }
  details.measured_at = new Date().toISOString();
  details.environment = { cpus: cpus().length, node: process.version, small };
  details.seeding =
    'held patients: repository.writeMany in batches of 250 (registration and each visit a separate signed change, one register change per batch); other registers: written through the same repository, signed by this device';
  runSeconds = Math.round((Date.now() - started) / 1000);
  details.run_seconds = runSeconds;
  results.details = details;
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${args.out} in ${runSeconds} s`);
  if (args.check) {
    const problems = checkRatios(results);
    for (const problem of problems) console.error(`check: ${problem}`);
    if (problems.length > 0) failures += 1;
    else log('check: every ratio within its bound');
  }
  if (failures > 0) {
    console.error(`bench:app: ${failures} measure(s) did not finish or failed`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
