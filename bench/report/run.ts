/**
 * `npm run bench:report` (issue 10 point 10): the monthly report and the follow-up lists over a
 * facility's patients, computed from what the app stored, against one raw IndexedDB read of the
 * rows those records live in, in the same run, at a CPU slowdown. Writes bench/results/report.json.
 * Method: bench/README.md (Report).
 *
 *   npx tsx bench/report/run.ts [--patients 5000] [--rounds 3] [--cpu-throttle 4] [--small]
 *     [--out …]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { launchOptions } from '../../scripts/chromium.mjs';
import { bundleBenchPage, serveDirectory } from '../browser-page.mjs';
import { percentile, round } from '../app/stats';
// The page's `window.pamojaReportBench` type comes with it.
import type {} from './page';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    small: { type: 'boolean', default: false },
    patients: { type: 'string' },
    group: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    'cpu-throttle': { type: 'string', default: '4' },
    out: { type: 'string', default: join(root, 'bench/results/report.json') },
  },
});
const PATIENTS = Number(args.patients ?? (args.small ? 300 : 5_000));
const GROUP = Number(args.group);
const ROUNDS = Math.max(3, Number(args.rounds));
const THROTTLE = Number(args['cpu-throttle']);
const DB = 'pamoja-bench-report';

const log = (message: string): void =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

type MeasureName = 'report' | 'lists' | 'raw_read' | 'records';
const measures: readonly MeasureName[] = ['report', 'lists', 'raw_read'];

/** A new page (every other one closed) at the CPU rate, with the bench's functions loaded. */
async function pageAt(context: BrowserContext, url: string, rate: number): Promise<Page> {
  for (const open of context.pages()) await open.close();
  const page = await context.newPage();
  page.on('pageerror', (error) => log(`page error: ${error.message}`));
  await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate });
  await page.goto(url);
  await page.waitForFunction(() => 'pamojaReportBench' in window);
  return page;
}

/** Patients in groups; each group registered on its own day within the last ~20 months. */
async function seed(page: Page): Promise<Record<string, unknown>> {
  await page.evaluate((db) => window.pamojaReportBench.openForSeeding(db), DB);
  let ms = 0;
  for (let from = 0, g = 0; from < PATIENTS; from += GROUP, g += 1) {
    const to = Math.min(PATIENTS, from + GROUP);
    const daysAgo = 10 + ((g * 37) % 600);
    ms += await page.evaluate(([a, b, d]) => window.pamojaReportBench.seedGroup(a, b, d), [
      from,
      to,
      daysAgo,
    ] as const);
    if (g % 10 === 0) log(`seeded ${to}/${PATIENTS} (${Math.round(ms / 1000)} s in the page)`);
  }
  await page.evaluate(() => window.pamojaReportBench.close());
  return { patients: PATIENTS, group: GROUP, ms: Math.round(ms) };
}

/** What a measure answers: its time, and what it counted (to check it timed the real thing). */
interface Measured {
  ms: number;
  patients?: number;
  rows?: number;
  path?: string;
  counts?: Record<string, number>;
  split?: Record<string, number>;
}

/** One measure on a fresh page: the app opened (not timed), then the measure alone. */
async function once(context: BrowserContext, url: string, name: MeasureName): Promise<Measured> {
  const page = await pageAt(context, url, THROTTLE);
  if (name === 'raw_read') {
    return page.evaluate((db) => window.pamojaReportBench.rawRead(db), DB);
  }
  await page.evaluate((db) => window.pamojaReportBench.open(db), DB);
  const measured: Measured =
    name === 'report'
      ? await page.evaluate(() => window.pamojaReportBench.report())
      : name === 'lists'
        ? await page.evaluate(() => window.pamojaReportBench.lists())
        : await page.evaluate(() => window.pamojaReportBench.reportFromRecords());
  await page.evaluate(() => window.pamojaReportBench.close());
  return measured;
}

const median = (values: number[]) => round(percentile(values, 0.5));

async function main(): Promise<void> {
  const started = Date.now();
  const bundleDir = await mkdtemp(join(tmpdir(), 'pamoja-bench-report-page-'));
  const profile = await mkdtemp(join(tmpdir(), 'pamoja-bench-report-profile-'));
  const served = await serveDirectory(bundleDir);
  const details: Record<string, unknown> = {};
  const samples: Record<MeasureName, number[]> = {
    report: [],
    lists: [],
    raw_read: [],
    records: [],
  };
  try {
    log('bundling the bench page');
    await bundleBenchPage('bench/report/page.ts', bundleDir, 'report bench');
    const context = await chromium.launchPersistentContext(profile, {
      ...launchOptions(),
      headless: true,
    });
    log(`seeding ${PATIENTS} patients through the clinic service (groups of ${GROUP})`);
    details.seeding = await seed(await pageAt(context, served.url, 1));

    const rounds: Record<string, unknown>[] = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      // Interleaved: each round starts with the next measure, so none always runs first.
      const order = measures.map((_, i) => measures[(i + r) % measures.length]!);
      const round_: Record<string, unknown> = { order };
      for (const name of order) {
        const result = await once(context, served.url, name);
        samples[name].push(result.ms);
        round_[`${name}_ms`] = round(result.ms);
        if (result.counts) details[`${name}_counts`] = result.counts;
        if (result.patients !== undefined) {
          round_[`${name}_patients`] = result.patients;
          // A figure over fewer records than were seeded would time the wrong thing.
          if (result.patients !== PATIENTS) {
            throw new Error(`${name} read ${result.patients} of ${PATIENTS} records`);
          }
        }
        if (result.rows !== undefined) round_.raw_rows = result.rows;
        if (result.split) {
          round_[`${name}_split_ms`] = Object.fromEntries(
            Object.entries(result.split).map(([k, v]) => [k, round(v)]),
          );
        }
        if (result.path) details[`${name}_path`] = result.path;
      }
      rounds.push(round_);
      log(`round ${r + 1}/${ROUNDS}: ${JSON.stringify(round_)}`);
    }
    // Once, after the rounds: the report straight from the records, split into where its time
    // goes (not a headline figure; it says what a faster report would have to avoid).
    const records = await once(context, served.url, 'records');
    if (records.patients !== PATIENTS) throw new Error(`records read ${records.patients}`);
    details.report_from_records = {
      ms: round(records.ms),
      split_ms: Object.fromEntries(
        Object.entries(records.split ?? {}).map(([k, v]) => [k, round(v)]),
      ),
    };
    await context.close();
    details.rounds = rounds;
  } finally {
    served.server.close();
    await rm(bundleDir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }

  const figure = (name: MeasureName) => ({
    min_ms: round(Math.min(...samples[name])),
    median_ms: median(samples[name]),
  });
  const results = {
    patients: PATIENTS,
    report_ms: median(samples.report),
    lists_ms: median(samples.lists),
    raw_read_ms: median(samples.raw_read),
    cpu_throttle: THROTTLE,
    details: {
      ...details,
      report: figure('report'),
      lists: figure('lists'),
      raw_read: figure('raw_read'),
      ratios: {
        report_to_raw_median: round(median(samples.report) / median(samples.raw_read)),
        lists_to_raw_median: round(median(samples.lists) / median(samples.raw_read)),
        report_to_raw_min: round(Math.min(...samples.report) / Math.min(...samples.raw_read)),
        lists_to_raw_min: round(Math.min(...samples.lists) / Math.min(...samples.raw_read)),
      },
      goal: 'report_ms and lists_ms each at most 2 × raw_read_ms',
      baseline:
        "one getAll of each store holding patient documents' content (updates, packs, changes), same profile, same throttle",
      method:
        'each measure on a fresh page of the same on-disk profile (the app opened and its search index ready before timing); rounds interleaved, the order rotating',
      measured_at: new Date().toISOString(),
      environment: { cpus: cpus().length, node: process.version, small: args.small ?? false },
      run_seconds: Math.round((Date.now() - started) / 1000),
    },
  };
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${args.out}: ${JSON.stringify({ ...results, details: results.details.ratios })}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
