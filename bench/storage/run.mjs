// Storage benchmark, in real headless Chromium with on-disk profiles: y-indexeddb (one database
// per document) against the Dexie store (one database for every document), and the app's save
// path (ClinicService and DocumentRepository over the Dexie store) against the adapter's commit
// and a raw strict IndexedDB put. Every figure and its baseline run interleaved, in rounds
// (issue 9 point 7): the top-level figures are the medians, `rounds` holds min and median.
// Usage: node bench/storage/run.mjs [--docs 2000] [--rounds 3] [--held 1000] [--saves 40]
//   [--cap-seconds 300] [--out bench/results/storage.json]
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { chromiumArgs } from '../../scripts/chromium.mjs';
import { bundleBenchPage, serveDirectory } from '../browser-page.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    docs: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    held: { type: 'string', default: '1000' },
    saves: { type: 'string', default: '40' },
    'cap-seconds': { type: 'string', default: '300' },
    batch: { type: 'string', default: '100' },
    samples: { type: 'string', default: '50' },
    out: { type: 'string', default: join(root, 'bench/results/storage.json') },
  },
});
const docCount = Number(args.docs);
const capMs = Number(args['cap-seconds']) * 1000;
const batchSize = Number(args.batch);
const sampleCount = Number(args.samples);
const roundCount = Math.max(3, Number(args.rounds));
const heldPatients = Number(args.held);
const savesPerRound = Number(args.saves);

const launchArgs = chromiumArgs;

const log = (message) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/** A browser on an on-disk profile, as an installed app would have; reopened for cold loads. */
async function openBrowser(profileDir, url) {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: launchArgs,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => log(`page error: ${error.message}`));
  await page.goto(url);
  await page.waitForFunction(() => 'pamojaBench' in window);
  return { context, page };
}

/** Runs `step` over [0, docCount) in batches until done or the time cap is reached. */
async function inBatches(label, step) {
  let done = 0;
  let ms = 0;
  let failures = 0;
  const wallStart = Date.now();
  while (done < docCount) {
    const to = Math.min(docCount, done + batchSize);
    const result = await step(done, to);
    ms += result.ms;
    failures += result.failures ?? 0;
    done = to;
    if (done % 1000 === 0 || done === docCount)
      log(`${label}: ${done}/${docCount} in ${(ms / 1000).toFixed(1)} s`);
    if (Date.now() - wallStart > capMs && done < docCount) {
      log(
        `${label}: capped at ${done} documents after ${((Date.now() - wallStart) / 1000).toFixed(0)} s`,
      );
      break;
    }
  }
  return {
    docs: done,
    complete: done === docCount,
    ms: Math.round(ms),
    msPerDoc: round(ms / done),
    failures,
  };
}

/** Bytes Chromium keeps on disk for IndexedDB in a closed profile (estimate() is lazy after a restart). */
async function diskBytes(dir) {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await diskBytes(path) : (await stat(path)).size;
  }
  return total;
}

const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function measure(approach, url) {
  const profile = await mkdtemp(join(tmpdir(), `pamoja-bench-${approach}-`));
  try {
    let { context, page } = await openBrowser(profile, url);
    const before = await page.evaluate(() => window.pamojaBench.estimate());
    const write = await inBatches(`${approach} write`, (from, to) =>
      page.evaluate(([a, f, t]) => window.pamojaBench.writeRange(a, f, t), [approach, from, to]),
    );
    const afterWrite = await page.evaluate(() => window.pamojaBench.estimate());
    await context.close();
    const indexedDbDir = join(profile, 'Default', 'IndexedDB');
    const diskAfterWrite = await diskBytes(indexedDbDir);

    ({ context, page } = await openBrowser(profile, url));
    const databases = await page.evaluate(() => window.pamojaBench.databaseCount());
    const cold = await page.evaluate(
      ([a, i]) => window.pamojaBench.loadOne(a, i),
      [approach, Math.floor(write.docs / 2)],
    );
    const load = await inBatches(`${approach} load`, (from, to) =>
      write.docs <= from
        ? Promise.resolve({ ms: 0, failures: 0 })
        : page.evaluate(
            ([a, f, t]) => window.pamojaBench.loadRange(a, f, t),
            [approach, from, Math.min(to, write.docs)],
          ),
    );
    const samples = [];
    for (let s = 0; s < sampleCount; s += 1) {
      const index = (s * 7919) % write.docs;
      const one = await page.evaluate(
        ([a, i]) => window.pamojaBench.loadOne(a, i),
        [approach, index],
      );
      samples.push(one.ms);
    }
    samples.sort((a, b) => a - b);
    const afterLoad = await page.evaluate(() => window.pamojaBench.estimate());
    await context.close();
    const diskAfterLoad = await diskBytes(indexedDbDir);

    return {
      write,
      loadAll: { ...load, docs: Math.min(load.docs, write.docs) },
      loadOne: {
        coldMs: round(cold.ms),
        coldOk: cold.ok,
        medianMs: round(percentile(samples, 0.5)),
        p95Ms: round(percentile(samples, 0.95)),
        samples: samples.length,
      },
      storage: {
        estimateBeforeBytes: before.usage,
        estimateAfterWriteBytes: afterWrite.usage,
        estimateAfterLoadBytes: afterLoad.usage,
        quotaBytes: afterWrite.quota,
        usedBytes: afterWrite.usage - before.usage,
        bytesPerDoc: Math.round((afterWrite.usage - before.usage) / Math.max(1, write.docs)),
        diskAfterWriteBytes: diskAfterWrite,
        diskAfterLoadBytes: diskAfterLoad,
        diskBytesPerDoc: Math.round(diskAfterWrite / Math.max(1, write.docs)),
        // LevelDB compacts at its own pace, so the size right after writing varies from run to
        // run; after the load phase it has settled (and shows what loading itself added).
        diskBytesPerDocAfterLoad: Math.round(diskAfterLoad / Math.max(1, write.docs)),
      },
      indexedDbDatabases: databases,
    };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

const ratio = (a, b) => (b > 0 ? round(a / b) : null);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** Min and median of the rounds (and the rounds themselves), rounded as the figures are. */
const summarise = (values, digits = 2) => ({
  min: round(Math.min(...values), digits),
  median: round(median(values), digits),
  rounds: values.map((value) => round(value, digits)),
});

/**
 * The median round of every numeric figure (booleans: true only if true in every round), so
 * the result keeps the shape of one round's figures.
 */
function medianOfRounds(runs) {
  const first = runs[0];
  if (typeof first === 'number') return round(median(runs), 2);
  if (typeof first === 'boolean') return runs.every(Boolean);
  if (first && typeof first === 'object') {
    return Object.fromEntries(
      Object.keys(first).map((key) => [key, medianOfRounds(runs.map((run) => run[key]))]),
    );
  }
  return first;
}

const bothRoundFigures = {
  writeMsPerDoc: (r) => r.write.msPerDoc,
  loadAllMsPerDoc: (r) => r.loadAll.msPerDoc,
  loadOneMedianMs: (r) => r.loadOne.medianMs,
  loadOneColdMs: (r) => r.loadOne.coldMs,
  bytesPerDoc: (r) => r.storage.bytesPerDoc,
  diskBytesPerDoc: (r) => r.storage.diskBytesPerDoc,
  diskBytesPerDocAfterLoad: (r) => r.storage.diskBytesPerDocAfterLoad,
};
const ratioOf = {
  writePerDoc: 'writeMsPerDoc',
  loadAllPerDoc: 'loadAllMsPerDoc',
  loadOneMedian: 'loadOneMedianMs',
  loadOneCold: 'loadOneColdMs',
  bytesPerDoc: 'bytesPerDoc',
  diskBytesPerDoc: 'diskBytesPerDoc',
  diskBytesPerDocAfterLoad: 'diskBytesPerDocAfterLoad',
};

/** y-indexeddb and Dexie in fresh profiles, `roundCount` times, alternating which goes first. */
async function compareStores(url) {
  const runs = { dexie: [], yIndexeddb: [] };
  for (let r = 0; r < roundCount; r += 1) {
    const order = r % 2 === 0 ? ['dexie', 'yIndexeddb'] : ['yIndexeddb', 'dexie'];
    for (const approach of order) {
      log(`round ${r + 1}/${roundCount}: ${approach}, ${docCount} documents`);
      runs[approach].push(await measure(approach, url));
    }
  }
  const figures = (approach) =>
    Object.fromEntries(
      Object.entries(bothRoundFigures).map(([name, pick]) => [
        name,
        summarise(runs[approach].map(pick)),
      ]),
    );
  const pairedRatios = Object.fromEntries(
    Object.entries(ratioOf).map(([name, figure]) => {
      const pick = bothRoundFigures[figure];
      return [
        name,
        summarise(runs.yIndexeddb.map((run, i) => pick(run) / Math.max(1e-9, pick(runs.dexie[i])))),
      ];
    }),
  );
  return {
    dexie: medianOfRounds(runs.dexie),
    yIndexeddb: medianOfRounds(runs.yIndexeddb),
    rounds: {
      count: roundCount,
      order: 'Dexie and y-indexeddb alternate, Dexie first in odd rounds (1, 3, ...)',
      dexie: figures('dexie'),
      yIndexeddb: figures('yIndexeddb'),
      ratiosYIndexeddbOverDexie: pairedRatios,
    },
  };
}

/**
 * The app's save path (bench/storage/save-path.ts) in one fresh profile: `heldPatients`
 * registered through the service, then `roundCount` rounds of `savesPerRound` saves, each save
 * running every measure in a rotating order.
 */
async function measureSavePath(url) {
  const profile = await mkdtemp(join(tmpdir(), 'pamoja-bench-save-'));
  try {
    const { context, page } = await openBrowser(profile, url);
    log(`save path: registering ${heldPatients} patients through the clinic service`);
    const setup = await page.evaluate(
      (held) => window.pamojaBench.setupSavePath(held),
      heldPatients,
    );
    const rounds = [];
    for (let r = 0; r < roundCount; r += 1) {
      rounds.push(await page.evaluate((n) => window.pamojaBench.savePathRound(n), savesPerRound));
      log(`save path: round ${r + 1}/${roundCount} done`);
    }
    await context.close();
    const measures = Object.keys(rounds[0]);
    const perMeasure = {};
    for (const name of measures) {
      const all = rounds.flatMap((samples) => samples[name]).sort((a, b) => a - b);
      const roundP50 = rounds.map((samples) =>
        percentile(
          [...samples[name]].sort((a, b) => a - b),
          0.5,
        ),
      );
      const roundP95 = rounds.map((samples) =>
        percentile(
          [...samples[name]].sort((a, b) => a - b),
          0.95,
        ),
      );
      perMeasure[name] = {
        p50Ms: round(percentile(all, 0.5)),
        p95Ms: round(percentile(all, 0.95)),
        samples: all.length,
        roundP50Ms: summarise(roundP50),
        roundP95Ms: summarise(roundP95),
      };
    }
    const overRaw = (name, pct) =>
      summarise(
        rounds.map((samples) => {
          const sorted = (list) => [...list].sort((a, b) => a - b);
          return (
            percentile(sorted(samples[name]), pct) /
            Math.max(1e-9, percentile(sorted(samples.raw_idb_put), pct))
          );
        }),
      );
    return {
      heldPatients,
      savesPerRound,
      rounds: roundCount,
      setupMs: Math.round(setup.ms),
      order: 'every save runs each measure once, the order rotating from save to save',
      measures: perMeasure,
      ratiosOverRawPut: {
        serviceRecordVisitP50: overRaw('service_record_visit', 0.5),
        serviceRecordVisitP95: overRaw('service_record_visit', 0.95),
        repositoryRegisterWriteP50: overRaw('repository_register_write', 0.5),
        adapterCommitP50: overRaw('adapter_commit', 0.5),
      },
    };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

async function main() {
  const bundleDir = await mkdtemp(join(tmpdir(), 'pamoja-bench-page-'));
  const { server, url } = await serveDirectory(bundleDir);
  try {
    log('bundling the bench page');
    await bundleBenchPage('bench/storage/page.ts', bundleDir, 'storage bench');
    const browserVersion = await chromium
      .launch({ executablePath: '/usr/bin/chromium', args: launchArgs })
      .then(async (browser) => {
        const version = browser.version();
        await browser.close();
        return version;
      });

    const stores = await compareStores(url);
    const { dexie, yIndexeddb } = stores;
    const savePath = await measureSavePath(url);

    // Per-document ratios of the median rounds, so a capped y-indexeddb run still compares
    // fairly; `rounds.ratiosYIndexeddbOverDexie` has the per-round ratios, min and median.
    const ratios = {
      writePerDoc: ratio(yIndexeddb.write.msPerDoc, dexie.write.msPerDoc),
      loadAllPerDoc: ratio(yIndexeddb.loadAll.msPerDoc, dexie.loadAll.msPerDoc),
      loadOneMedian: ratio(yIndexeddb.loadOne.medianMs, dexie.loadOne.medianMs),
      loadOneCold: ratio(yIndexeddb.loadOne.coldMs, dexie.loadOne.coldMs),
      bytesPerDoc: ratio(yIndexeddb.storage.bytesPerDoc, dexie.storage.bytesPerDoc),
      diskBytesPerDoc: ratio(yIndexeddb.storage.diskBytesPerDoc, dexie.storage.diskBytesPerDoc),
      diskBytesPerDocAfterLoad: ratio(
        yIndexeddb.storage.diskBytesPerDocAfterLoad,
        dexie.storage.diskBytesPerDocAfterLoad,
      ),
    };
    const results = {
      measuredAt: new Date().toISOString(),
      environment: {
        browser: `Chromium ${browserVersion} (headless, on-disk profile)`,
        cpus: (await import('node:os')).cpus().length,
        node: process.version,
      },
      parameters: {
        docs: docCount,
        capSeconds: capMs / 1000,
        batch: batchSize,
        loadOneSamples: sampleCount,
        rounds: roundCount,
        heldPatients,
        savesPerRound,
      },
      dexie: { durability: 'strict', ...dexie },
      yIndexeddb: { durability: 'browser default', ...yIndexeddb },
      ratiosYIndexeddbOverDexie: ratios,
      rounds: stores.rounds,
      savePath,
    };
    await mkdir(dirname(args.out), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${args.out}`);
    // Stored bytes per patient (bytes-per-patient.ts): merged into the same file, next to these.
    log('stored bytes per patient with 12 visits (ClinicService, signed, Dexie)');
    execFileSync(
      process.execPath,
      [
        join(root, 'node_modules/tsx/dist/cli.mjs'),
        join(root, 'bench/storage/bytes-per-patient.ts'),
        '--out',
        args.out,
      ],
      { stdio: 'inherit', cwd: root },
    );
    console.log(JSON.stringify({ ratiosYIndexeddbOverDexie: ratios, savePath }, null, 2));
  } finally {
    server.close();
    await rm(bundleDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
