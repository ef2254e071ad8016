/**
 * WebRTC benchmark: device A holds `docs` patient records (registration + 5 visits each); a new
 * device B of the same facility connects and fetches them all over real WebRTC in headless
 * Chromium. Ours (replication engine over the WebRTC transport) against two set-ups built from
 * stock y-webrtc, all in the same run; then ours on the app's signed path, once with B verifying
 * every change and once without (issue 8 point 11). Writes bench/results/webrtc.json. Method:
 * bench/README.md (WebRTC section).
 *
 *   npx tsx bench/webrtc/run.ts [--docs 1000] [--cap-seconds 120] [--stall-seconds 60] [--out …]
 */
import { cpus } from 'node:os';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createSignalingServer } from '../../signaling/server';
import { launchOptions } from '../../scripts/chromium.mjs';
import { bundleBenchPage, serveDirectory } from '../browser-page.mjs';
import type { Progress, Scenario, Seeded, StartConfig, WireStats } from './page';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    docs: { type: 'string', default: '1000' },
    'cap-seconds': { type: 'string', default: '120' },
    'stall-seconds': { type: 'string', default: '60' },
    out: { type: 'string', default: join(root, 'bench/results/webrtc.json') },
    /** Comma-separated subset, for probing one set-up; the results file needs all five. */
    only: { type: 'string', default: 'ours,oneDoc,roomPerDoc,oursSigned,oursSignedUnverified' },
  },
});
const DOCS = Number(args.docs);
const CAP_MS = Number(args['cap-seconds']) * 1000;
const STALL_MS = Number(args['stall-seconds']) * 1000;
const POLL_MS = 250;
/** After B matched A, wait this long before reading stats, so trailing acks are counted too. */
const SETTLE_MS = 1_000;

const log = (message: string): void =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Rejects instead of waiting forever on a page whose main thread is saturated. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

interface DevicePage {
  context: BrowserContext;
  page: Page;
}

/** One browser context per device: pages of one context would sync over BroadcastChannel. */
async function openDevice(browser: Browser, url: string, name: string): Promise<DevicePage> {
  const context = await browser.newContext({ permissions: ['microphone', 'camera'] });
  const page = await context.newPage();
  page.on('pageerror', (error) => log(`${name} page error: ${error.message}`));
  await page.goto(url);
  await page.waitForFunction(() => 'pamojaWebrtcBench' in window);
  return { context, page };
}

interface Figures {
  complete: boolean;
  docs: number;
  docs_synced: number;
  /** From B starting to connect until every doc of B equals A's; null when it never did. */
  sync_ms: number | null;
  /** Time B ran: sync_ms when complete, otherwise until the run was stopped. */
  elapsed_ms: number;
  wire_bytes: number;
  update_bytes: number;
  wire_over_update: number;
  peer_connections: number;
  peer_connections_by_device: { a: number; b: number };
  open_peer_connections_by_device: { a: number; b: number };
  dtls_transport_bytes: number;
  send_hook_bytes: number;
  data_channel_messages: number;
  closed_peer_connections_not_counted: number;
  engine_bytes_sent?: number;
  /** [seconds since B started, docs synced, B's open peer connections], every few seconds. */
  progress: [number, number, number][];
  stopped_because?: string;
  errors: string[];
}

const round = (value: number, digits = 3): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

async function runScenario(
  browser: Browser,
  url: string,
  signalingUrl: string,
  scenario: Scenario,
): Promise<Figures> {
  const a = await openDevice(browser, url, `${scenario}/A`);
  const b = await openDevice(browser, url, `${scenario}/B`);
  try {
    const identities = await Promise.all(
      [a, b].map(({ page }, i) =>
        page.evaluate(([s, slot]) => window.pamojaWebrtcBench.init(s, slot), [
          scenario,
          i + 1,
        ] as const),
      ),
    );
    // A signed scenario: each device's static SyncAuth lists both (null elsewhere).
    const members = identities.filter((member) => member !== null);
    for (const { page } of [a, b]) {
      await page.evaluate((m) => window.pamojaWebrtcBench.admit(m), members);
    }
    const seeded: Seeded = await a.page.evaluate((n) => window.pamojaWebrtcBench.seed(n), DOCS);
    await b.page.evaluate(([expected, n]) => window.pamojaWebrtcBench.expect(expected, n), [
      seeded.expected,
      DOCS,
    ] as const);
    const config = (deviceId: string): StartConfig => ({
      signalingUrl,
      namespace: `${scenario}-${Date.now().toString(36)}`,
      deviceId,
      count: DOCS,
    });
    const aConfig = config('bench-device-a');
    await within(
      a.page.evaluate((c) => window.pamojaWebrtcBench.start(c), aConfig),
      CAP_MS,
      'A start',
    );
    log(`${scenario}: A holds ${DOCS} patients (${seeded.updateBytes} update bytes); B starts`);

    const bStart = b.page
      .evaluate((c) => window.pamojaWebrtcBench.start(c), {
        ...aConfig,
        deviceId: 'bench-device-b',
      })
      .catch((error: unknown) => log(`${scenario}: B start failed: ${String(error)}`));
    const wallStart = Date.now();
    const progress: [number, number, number][] = [];
    let last: Progress | undefined;
    let lastActivity = '';
    let lastChangeAt = wallStart;
    let stoppedBecause: string | undefined;
    let errorsSeen: string[] = [];
    for (;;) {
      await sleep(POLL_MS);
      const now = Date.now();
      try {
        last = await within(
          b.page.evaluate(() => window.pamojaWebrtcBench.progress()),
          10_000,
          'B progress',
        );
        const aProgress = await within(
          a.page.evaluate(() => window.pamojaWebrtcBench.progress()),
          10_000,
          'A progress',
        );
        errorsSeen = [
          ...aProgress.errors.map((e) => `A: ${e}`),
          ...last.errors.map((e) => `B: ${e}`),
        ];
      } catch (error) {
        // A page too busy to answer is not a stalled one: only the time cap ends that.
        lastChangeAt = now;
        log(`${scenario}: ${String(error)}`);
      }
      const docs = last?.docsSynced ?? 0;
      // Connections still opening count as activity: room-per-doc moves no document for a while.
      const activity = `${docs}/${last?.connectedPeerConnections ?? 0}`;
      if (activity !== lastActivity) {
        lastActivity = activity;
        lastChangeAt = now;
      }
      const seconds = Math.floor((now - wallStart) / 1000);
      if (progress.length === 0 || seconds - (progress.at(-1)?.[0] ?? 0) >= 5) {
        progress.push([seconds, docs, last?.connectedPeerConnections ?? 0]);
        log(
          `${scenario}: ${docs}/${DOCS} docs at B after ${seconds} s ` +
            `(${last?.connectedPeerConnections ?? 0} peer connections open)`,
        );
      }
      if (last?.syncedAfterMs !== null && last?.syncedAfterMs !== undefined) break;
      if (now - wallStart > CAP_MS) {
        stoppedBecause = `time cap of ${CAP_MS / 1000} s reached`;
        break;
      }
      // An error y-webrtc swallows (a refused peer connection, a dropped message) is never
      // retried, so once progress stops after one there is nothing left to wait for.
      if (errorsSeen.length > 0 && now - lastChangeAt > STALL_MS) {
        stoppedBecause = `no progress for ${STALL_MS / 1000} s after an error (${errorsSeen.join('; ')})`;
        break;
      }
    }
    const elapsedMs = last?.syncedAfterMs ?? last?.elapsedMs ?? Date.now() - wallStart;
    progress.push([
      round(elapsedMs / 1000, 1),
      last?.docsSynced ?? 0,
      last?.connectedPeerConnections ?? 0,
    ]);
    log(
      `${scenario}: ${stoppedBecause ? `stopped (${stoppedBecause})` : 'synced'} with ` +
        `${last?.docsSynced ?? 0}/${DOCS} docs after ${elapsedMs} ms`,
    );
    await sleep(SETTLE_MS);
    const [aStats, bStats] = (await Promise.all(
      [a, b].map(({ page }) =>
        within(
          page.evaluate(() => window.pamojaWebrtcBench.stats()),
          60_000,
          'stats',
        ),
      ),
    )) as [WireStats, WireStats];
    await Promise.race([bStart, sleep(1_000)]);
    const wire = aStats.dataChannelBytesSent + bStats.dataChannelBytesSent;
    const figures: Figures = {
      complete: stoppedBecause === undefined,
      docs: DOCS,
      docs_synced: last?.docsSynced ?? 0,
      sync_ms: last?.syncedAfterMs ?? null,
      elapsed_ms: elapsedMs,
      wire_bytes: wire,
      update_bytes: seeded.updateBytes,
      wire_over_update: round(wire / seeded.updateBytes),
      peer_connections: Math.max(aStats.peerConnections, bStats.peerConnections),
      peer_connections_by_device: { a: aStats.peerConnections, b: bStats.peerConnections },
      open_peer_connections_by_device: {
        a: aStats.openPeerConnections,
        b: bStats.openPeerConnections,
      },
      dtls_transport_bytes: aStats.transportBytesSent + bStats.transportBytesSent,
      send_hook_bytes: aStats.sendHookBytes + bStats.sendHookBytes,
      data_channel_messages: aStats.dataChannelMessagesSent + bStats.dataChannelMessagesSent,
      closed_peer_connections_not_counted:
        aStats.closedPeerConnections + bStats.closedPeerConnections,
      progress,
      errors: errorsSeen,
    };
    if (aStats.engineBytesSent !== null && bStats.engineBytesSent !== null) {
      figures.engine_bytes_sent = aStats.engineBytesSent + bStats.engineBytesSent;
    }
    if (stoppedBecause) figures.stopped_because = stoppedBecause;
    return figures;
  } finally {
    for (const { page } of [a, b]) {
      await within(
        page.evaluate(() => window.pamojaWebrtcBench.stop()),
        30_000,
        'stop',
      ).catch((error: unknown) => log(`${scenario}: ${String(error)}`));
    }
    await Promise.all([a.context.close(), b.context.close()]);
  }
}

/** What a set-up that never finished reached before it was stopped; `null` when it finished. */
function didNotFinish(figures: Figures) {
  if (figures.complete) return null;
  return {
    docs_synced: figures.docs_synced,
    docs: figures.docs,
    ran_ms: figures.elapsed_ms,
    stopped_because: figures.stopped_because ?? 'unknown',
  };
}

/** Baseline over ours; `null` where ours is zero. */
const ratio = (baseline: number, ours: number): number | null =>
  ours > 0 ? round(baseline / ours, 2) : null;

function ratios(baseline: Figures, ours: Figures) {
  return {
    // Bytes of a baseline that did not finish compare nothing: it did not move the same data.
    wire_bytes: baseline.complete ? ratio(baseline.wire_bytes, ours.wire_bytes) : null,
    // A stopped baseline moved fewer documents; per synced document is the fair comparison.
    wire_bytes_per_synced_doc:
      baseline.docs_synced > 0
        ? ratio(
            baseline.wire_bytes / baseline.docs_synced,
            ours.wire_bytes / Math.max(1, ours.docs_synced),
          )
        : null,
    update_bytes: ratio(baseline.update_bytes, ours.update_bytes),
    // Issue 9 point 7: a baseline that never finished has no time to compare; how long it ran
    // is our own give-up timer, so no ratio is made of it: `did_not_finish` says what it reached.
    sync_ms:
      baseline.complete && ours.complete ? ratio(baseline.elapsed_ms, ours.elapsed_ms) : null,
    did_not_finish: didNotFinish(baseline),
    peer_connections: ratio(baseline.peer_connections, ours.peer_connections),
  };
}

/** Issue 8 point 11: the same catch-up into a B that verifies every change and one that does not. */
function signedFigures(verified: Figures, unverified: Figures) {
  const { sync_ms: on } = verified;
  const { sync_ms: off } = unverified;
  return {
    // Null when that catch-up did not finish (its figures say why: `progress`, `errors`).
    catchup_ms_verified: on,
    catchup_ms_unverified: off,
    verified_over_unverified: on !== null && off !== null && off > 0 ? round(on / off) : null,
    docs: DOCS,
  };
}

async function main(): Promise<void> {
  const signaling = createSignalingServer({
    host: '127.0.0.1',
    port: 0,
    // Room-per-doc subscribes to a topic per patient and publishes an announce and a dozen
    // signals per room; with the production limits the server, not y-webrtc, would be measured.
    maxTopicsPerConnection: 4 * DOCS + 64,
    maxFrameBytes: 1024 * 1024,
    maxBufferedBytes: 16 * 1024 * 1024,
    publishRatePerSecond: 100_000,
    publishBurst: 100_000,
    logger: { log: () => undefined },
  });
  const { host, port } = await signaling.listen();
  const signalingUrl = `ws://${host}:${port}`;
  const bundleDir = await mkdtemp(join(tmpdir(), 'pamoja-webrtc-bench-'));
  const { server, url } = await serveDirectory(bundleDir);
  let browser: Browser | undefined;
  try {
    log('bundling the bench page');
    await bundleBenchPage('bench/webrtc/page.ts', bundleDir, 'webrtc bench');
    browser = await chromium.launch({ ...launchOptions(), headless: true });
    log(`Chromium ${browser.version()}, signaling at ${signalingUrl}`);

    const plan: [Scenario, string][] = [
      ['ours', `ours: ${DOCS} patients, one peer connection`],
      ['oneDoc', `baseline one doc: ${DOCS} patients in one Y.Doc, one y-webrtc room`],
      ['roomPerDoc', `baseline room per doc: ${DOCS} y-webrtc rooms`],
      ['oursSigned', `ours signed: ${DOCS} patients, B verifies every change`],
      ['oursSignedUnverified', `ours signed: ${DOCS} patients, B verifies nothing`],
    ];
    const selected = new Set(args.only.split(','));
    const measured: Partial<Record<Scenario, Figures>> = {};
    for (const [scenario, title] of plan) {
      if (!selected.has(scenario)) continue;
      log(title);
      measured[scenario] = await runScenario(browser, url, signalingUrl, scenario);
    }
    const { ours, oneDoc, roomPerDoc, oursSigned, oursSignedUnverified } = measured;
    if (!ours || !oneDoc || !roomPerDoc || !oursSigned || !oursSignedUnverified) {
      console.log(JSON.stringify(measured, null, 2));
      log('partial run (--only): results file not written');
      return;
    }

    const result = {
      measured_at: new Date().toISOString(),
      method: 'bench/README.md#webrtc',
      environment: {
        browser: `Chromium ${browser.version()} (headless)`,
        cpus: cpus().length,
        node: process.version,
      },
      parameters: {
        docs: DOCS,
        visits_per_patient: 5,
        cap_seconds: CAP_MS / 1000,
        stall_seconds: STALL_MS / 1000,
      },
      ...ours,
      baseline_room_per_doc: { ...roomPerDoc, did_not_finish: didNotFinish(roomPerDoc) },
      baseline_one_doc: { ...oneDoc, did_not_finish: didNotFinish(oneDoc) },
      ratios: {
        room_per_doc_over_ours: ratios(roomPerDoc, ours),
        one_doc_over_ours: ratios(oneDoc, ours),
      },
      signed: signedFigures(oursSigned, oursSignedUnverified),
    };
    await mkdir(dirname(args.out), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${args.out}`);
    console.log(JSON.stringify({ ratios: result.ratios, signed: result.signed }, null, 2));
    if (!ours.complete || !oursSigned.complete || !oursSignedUnverified.complete) {
      process.exitCode = 1;
    }
  } finally {
    await browser?.close();
    server.close();
    await signaling.close();
    await rm(bundleDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
