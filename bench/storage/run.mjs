// Storage decision benchmark: y-indexeddb (one database per document) against the Dexie store
// (one database for every document), in real headless Chromium with on-disk profiles.
// Usage: node bench/storage/run.mjs [--docs 5000] [--cap-seconds 300] [--out bench/results/storage.json]
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
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
    docs: { type: 'string', default: '5000' },
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

    log(`dexie: ${docCount} documents`);
    const dexie = await measure('dexie', url);
    log(`y-indexeddb: ${docCount} documents`);
    const yIndexeddb = await measure('yIndexeddb', url);

    // Per-document ratios, so a capped y-indexeddb run still compares fairly.
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
      },
      dexie: { durability: 'strict', ...dexie },
      yIndexeddb: { durability: 'browser default', ...yIndexeddb },
      ratiosYIndexeddbOverDexie: ratios,
    };
    await mkdir(dirname(args.out), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${args.out}`);
    console.log(JSON.stringify({ ratiosYIndexeddbOverDexie: ratios }, null, 2));
  } finally {
    server.close();
    await rm(bundleDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
