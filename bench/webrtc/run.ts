/**
 * WebRTC benchmark: device A holds `docs` patient records (registration + 5 visits each); a new
 * device B of the same facility connects and fetches them all over real WebRTC in headless
 * Chromium. Ours (replication engine over the WebRTC transport) against two set-ups built from
 * stock y-webrtc, all in the same run; then ours on the app's signed path, once with B verifying
 * every change and once without (issue 8 point 11). Writes bench/results/webrtc.json. Method:
 * bench/README.md (WebRTC section).
 *
 * Every set-up runs once in each of `--rounds` (≥ 3) rounds, the order reversed every other round
 * (issue 9 point 7); bench/webrtc/summary.ts reports min and median, and "did not finish" with what
 * a set-up reached instead of a ratio of the give-up timer.
 *
 *   npx tsx bench/webrtc/run.ts [--docs 1000] [--rounds 3] [--cap-seconds 120] [--stall-seconds 60]
 *     [--only …] [--out …]
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
import {
  didNotFinish,
  medianRound,
  ratiosOver,
  round,
  roundsOf,
  signedFigures,
  type Figures,
} from './summary';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    docs: { type: 'string', default: '1000' },
    'cap-seconds': { type: 'string', default: '120' },
    'stall-seconds': { type: 'string', default: '60' },
    /** Issue 9 point 7: every set-up in each round, the order reversed every other round. */
    rounds: { type: 'string', default: '3' },
    out: { type: 'string', default: join(root, 'bench/results/webrtc.json') },
    /** Comma-separated subset, for probing one set-up; the results file needs all five. */
    only: { type: 'string', default: 'ours,oneDoc,roomPerDoc,oursSigned,oursSignedUnverified' },
  },
});
const DOCS = Number(args.docs);
const CAP_MS = Number(args['cap-seconds']) * 1000;
const STALL_MS = Number(args['stall-seconds']) * 1000;
const ROUNDS = Number(args.rounds);
/** The results file needs this many rounds; fewer (for probing) only print. */
const MIN_ROUNDS = 3;
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
    // A stopped run ran until now: its page may have stopped answering long before (saturated).
    const elapsedMs = last?.syncedAfterMs ?? Math.max(last?.elapsedMs ?? 0, Date.now() - wallStart);
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
    // A page saturated by a failing baseline (room per doc past the browser's connection cap)
    // may never answer; its byte counts are then unknown (null), not zero, and the run goes on.
    const read = await Promise.allSettled(
      [a, b].map(({ page }) =>
        within(
          page.evaluate(() => window.pamojaWebrtcBench.stats()),
          60_000,
          'stats',
        ),
      ),
    );
    await Promise.race([bStart, sleep(1_000)]);
    const [aStats, bStats] = read.map((r) => (r.status === 'fulfilled' ? r.value : null));
    const statsErrors = read.flatMap((r, i) =>
      r.status === 'rejected' ? [`${i === 0 ? 'A' : 'B'}: ${String(r.reason)}`] : [],
    );
    const both = <T>(pick: (stats: WireStats) => T): { a: T; b: T } | null =>
      aStats && bStats ? { a: pick(aStats), b: pick(bStats) } : null;
    const sum = (pick: (stats: WireStats) => number): number | null => {
      const pair = both(pick);
      return pair ? pair.a + pair.b : null;
    };
    const wire = sum((s) => s.dataChannelBytesSent);
    const connections = both((s) => s.peerConnections);
    const figures: Figures = {
      complete: stoppedBecause === undefined,
      docs: DOCS,
      docs_synced: last?.docsSynced ?? 0,
      sync_ms: last?.syncedAfterMs ?? null,
      elapsed_ms: elapsedMs,
      wire_bytes: wire,
      update_bytes: seeded.updateBytes,
      wire_over_update: wire === null ? null : round(wire / seeded.updateBytes),
      peer_connections: connections ? Math.max(connections.a, connections.b) : null,
      peer_connections_by_device: connections,
      open_peer_connections_by_device: both((s) => s.openPeerConnections),
      dtls_transport_bytes: sum((s) => s.transportBytesSent),
      send_hook_bytes: sum((s) => s.sendHookBytes),
      data_channel_messages: sum((s) => s.dataChannelMessagesSent),
      closed_peer_connections_not_counted: sum((s) => s.closedPeerConnections),
      progress,
      errors: errorsSeen,
    };
    if (statsErrors.length > 0) {
      figures.stats_unavailable = statsErrors.join('; ');
      log(`${scenario}: stats unavailable (${figures.stats_unavailable})`);
    }
    if (aStats?.engineBytesSent != null && bStats?.engineBytesSent != null) {
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
    const runs = Object.fromEntries(
      plan.map(([scenario]) => [scenario, [] as Figures[]]),
    ) as Record<Scenario, Figures[]>;
    for (let r = 0; r < ROUNDS; r++) {
      // Reversed every other round, so no set-up always runs on a fresher (or busier) browser.
      const order = r % 2 === 0 ? plan : [...plan].reverse();
      for (const [scenario, title] of order) {
        if (!selected.has(scenario)) continue;
        log(`round ${r + 1}/${ROUNDS}: ${title}`);
        runs[scenario].push(await runScenario(browser, url, signalingUrl, scenario));
      }
    }
    const { ours, oneDoc, roomPerDoc, oursSigned, oursSignedUnverified } = runs;
    const all = [ours, oneDoc, roomPerDoc, oursSigned, oursSignedUnverified];
    if (all.some((set) => set.length === 0) || ROUNDS < MIN_ROUNDS) {
      console.log(JSON.stringify(runs, null, 2));
      log(`partial run (--only, or fewer than ${MIN_ROUNDS} rounds): results file not written`);
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
        rounds: ROUNDS,
        order: 'ours, oneDoc, roomPerDoc, oursSigned, oursSignedUnverified; reversed in odd rounds',
        cap_seconds: CAP_MS / 1000,
        stall_seconds: STALL_MS / 1000,
      },
      // The median round of each set-up in full (summary.ts medianRound); `rounds` has them all.
      ...medianRound(ours),
      baseline_room_per_doc: {
        ...medianRound(roomPerDoc),
        did_not_finish: didNotFinish(medianRound(roomPerDoc)),
      },
      baseline_one_doc: {
        ...medianRound(oneDoc),
        did_not_finish: didNotFinish(medianRound(oneDoc)),
      },
      ratios: {
        room_per_doc_over_ours: ratiosOver(roomPerDoc, ours),
        one_doc_over_ours: ratiosOver(oneDoc, ours),
      },
      rounds: {
        ours: roundsOf(ours),
        baseline_room_per_doc: roundsOf(roomPerDoc),
        baseline_one_doc: roundsOf(oneDoc),
      },
      signed: signedFigures(oursSigned, oursSignedUnverified, DOCS),
    };
    await mkdir(dirname(args.out), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${args.out}`);
    console.log(JSON.stringify({ rounds: result.rounds, signed: result.signed }, null, 2));
    if ([ours, oursSigned, oursSignedUnverified].some((set) => set.some((run) => !run.complete))) {
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
