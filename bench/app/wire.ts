/**
 * Issue 9 points 4 and 5: catch-up near the wire's limit, and bytes on the air per day.
 *
 * Two headless Chromium contexts (one per device) run bench/webrtc/page.ts on the app's signed
 * path (`oursSigned`: device keys, signing repository, replica host, authenticated engine, over
 * the WebRTC transport). A holds the patients; each round B is a new device (its page reloaded)
 * that catches up, then, on the same peer connection, a raw negotiated data channel moves the
 * same number of bytes A→B: ours and raw interleaved, round after round. The signaling server runs
 * here behind a counting TCP proxy, so every WebSocket frame both ways is seen.
 *
 *   npx tsx bench/app/wire.ts [--small] [--cpu-throttle 4]
 */
import { createServer, connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createSignalingServer } from '../../signaling/server';
import { launchOptions } from '../../scripts/chromium.mjs';
import { bundleBenchPage, serveDirectory } from '../browser-page.mjs';
import type { BenchMember, Seeded, StartConfig } from '../webrtc/page';

export interface WireResult {
  catchup: { p50_ms: number; p95_ms: number; baseline_p50_ms: number; baseline_p95_ms: number };
  air_bytes_per_day: number;
  details: Record<string, unknown>;
}

const DAY_S = 86_400;
/** Protocol L8, L9 (src/sync/webrtc): the schedule the idle figure is scaled with. */
const REANNOUNCE_BASE_S = 120;
const REANNOUNCE_MAX_S = 3_600;
const VISITS_PER_DAY = 20;
/** Protocol L8: the signaling client pings after this long with no message from the server. */
const PING_AFTER_SILENCE_S = 120;

const log = (message: string): void =>
  console.log(`[wire ${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

// ---- a TCP proxy that reads WebSocket frames as they pass -------------------------------------

interface FrameEvent {
  at: number;
  /** up: browser → server; down: server → browser. */
  dir: 'up' | 'down';
  kind: string;
  bytes: number;
}

/** Splits one direction of a WebSocket connection into frames (after the HTTP upgrade). */
function frameReader(dir: FrameEvent['dir'], record: (event: FrameEvent) => void) {
  let buffer = Buffer.alloc(0);
  let upgraded = false;
  return (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!upgraded) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      record({ at: Date.now(), dir, kind: 'http-upgrade', bytes: end + 4 });
      buffer = buffer.subarray(end + 4);
      upgraded = true;
    }
    for (;;) {
      if (buffer.length < 2) return;
      const opcode = (buffer[0] as number) & 0x0f;
      const masked = ((buffer[1] as number) & 0x80) !== 0;
      let length = (buffer[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return;
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < length; i++) payload[i]! ^= buffer[maskAt + (i % 4)]!;
      let kind = `opcode-${opcode}`;
      if (opcode === 9) kind = 'ws-ping';
      else if (opcode === 10) kind = 'ws-pong';
      else if (opcode === 8) kind = 'ws-close';
      else if (opcode === 1) {
        try {
          kind = String((JSON.parse(payload.toString('utf8')) as { type?: unknown }).type);
        } catch {
          kind = 'text';
        }
      }
      record({ at: Date.now(), dir, kind, bytes: offset + length });
      buffer = buffer.subarray(offset + length);
    }
  };
}

async function countingProxy(target: { host: string; port: number }) {
  const events: FrameEvent[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    sockets.add(client).add(upstream);
    const up = frameReader('up', (e) => events.push(e));
    const down = frameReader('down', (e) => events.push(e));
    client.on('data', (chunk: Buffer) => {
      up(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      down(chunk);
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    events,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

// ---- helpers ------------------------------------------------------------------------------------

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
};
const median = (values: readonly number[]) => quantile(values, 0.5);

/** Re-announces one settled device sends in a day under L9 (mean of the ±25 % jitter). */
function announcesPerDay(): number {
  let t = 0;
  let delay = REANNOUNCE_BASE_S;
  let count = 0;
  while (t + delay <= DAY_S) {
    t += delay;
    count++;
    delay = Math.min(REANNOUNCE_MAX_S, delay * 2);
  }
  return count;
}

const bench = (page: Page) => page.evaluate.bind(page);

/**
 * Waits for B to hold every document A seeded, logging progress every 15 s. One that does not
 * finish is an error saying what it reached (run.ts reports it as did_not_finish), with both
 * sides' transport and engine status, never a time.
 */
async function catchUp(a: Page, b: Page, round: number, ms: number): Promise<void> {
  const start = Date.now();
  let logged = start;
  for (;;) {
    const progress = await bench(b)(() => window.pamojaWebrtcBench.progress());
    if (progress.syncedAfterMs !== null) return;
    const now = Date.now();
    const line =
      `round ${round + 1}: ${progress.docsSynced}/${progress.docsTotal} documents after ` +
      `${Math.round((now - start) / 1000)} s, ${progress.connectedPeerConnections} connected` +
      (progress.errors.length > 0 ? `, errors: ${progress.errors.slice(0, 3).join('; ')}` : '');
    if (now - start > ms) {
      const diagnosis = await Promise.all(
        [a, b].map((p) => bench(p)(() => window.pamojaWebrtcBench.diagnose())),
      );
      throw new Error(
        `did not finish: ${line}; A ${JSON.stringify(diagnosis[0])}; B ${JSON.stringify(diagnosis[1])}`,
      );
    }
    if (now - logged >= 15_000) {
      log(line);
      logged = now;
    }
    await sleep(200);
  }
}

/** The part of a CDP `Profiler.Profile` read here. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Self and inclusive time per function of a CDP CPU profile, the 25 largest of each. */
function summariseProfile(profile: CpuProfile): string {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const key = (node: ProfileNode) =>
    `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const ms = (deltas[i + 1] ?? 0) / 1000;
    let node = byId.get(samples[i]!);
    if (!node) continue;
    self.set(key(node), (self.get(key(node)) ?? 0) + ms);
    const seen = new Set<string>();
    while (node) {
      const k = key(node);
      if (!seen.has(k)) total.set(k, (total.get(k) ?? 0) + ms);
      seen.add(k);
      const up = parent.get(node.id);
      node = up === undefined ? undefined : byId.get(up);
    }
  }
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 25)
      .map(([k, ms]) => `  ${ms.toFixed(0).padStart(6)} ms  ${k}`)
      .join('\n');
  return `self:\n${top(self)}\ninclusive:\n${top(total)}`;
}

// ---- the measure ------------------------------------------------------------------------------

export async function measureWire(options: {
  small: boolean;
  cpuThrottle: number;
  /** Writes B's CPU profile of the first catch-up here and logs where its time went. */
  profile?: string;
}): Promise<WireResult> {
  const docs = options.small ? 100 : 1000;
  const rounds = 3;
  // Long enough for each device's first re-announce (90–150 s after it starts, L9).
  const idleWindowMs = (options.small ? 160 : 300) * 1000;
  const signaling = createSignalingServer({
    host: '127.0.0.1',
    port: 0,
    logger: { log: () => undefined },
  });
  const target = await signaling.listen();
  const proxy = await countingProxy(target);
  const bundleDir = await mkdtemp(join(tmpdir(), 'pamoja-wire-bench-'));
  const { server, url } = await serveDirectory(bundleDir);
  let browser: Browser | undefined;
  try {
    await bundleBenchPage('bench/webrtc/page.ts', bundleDir, 'wire bench');
    browser = await chromium.launch({ ...launchOptions(), headless: true });
    const open = async (name: string) => {
      const context = await browser!.newContext({ permissions: ['microphone', 'camera'] });
      const page = await context.newPage();
      page.on('pageerror', (error) => log(`${name} page error: ${error.message}`));
      const cdp = await context.newCDPSession(page);
      const load = async () => {
        await page.goto(url);
        await page.waitForFunction(() => 'pamojaWebrtcBench' in window);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: options.cpuThrottle });
      };
      await load();
      return { page, load, cdp };
    };
    const a = await open('A');
    const b = await open('B');
    const aMember = (await bench(a.page)(() =>
      window.pamojaWebrtcBench.init('oursSigned', 1),
    )) as BenchMember;
    log(`A seeds ${docs} patients × 5 visits (signed, at ${options.cpuThrottle}× CPU)`);
    const seeded: Seeded = await bench(a.page)((n) => window.pamojaWebrtcBench.seed(n), docs);
    const config: StartConfig = {
      signalingUrl: proxy.url,
      namespace: `wire-${Date.now().toString(36)}`,
      deviceId: 'wire-a',
      count: docs,
    };
    await bench(a.page)((c) => window.pamojaWebrtcBench.start(c), config);

    const ours: number[] = [];
    const raw: number[] = [];
    const perRound: Record<string, unknown>[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round > 0) await b.load(); // a new device each round: fresh page, empty store
      const bMember = (await bench(b.page)(() =>
        window.pamojaWebrtcBench.init('oursSigned', 2),
      )) as BenchMember;
      for (const page of [a.page, b.page]) {
        await bench(page)((m) => window.pamojaWebrtcBench.admit(m), [aMember, bMember]);
      }
      await bench(b.page)(([e, n]) => window.pamojaWebrtcBench.expect(e, n), [
        seeded.expected,
        docs,
      ] as const);
      await bench(b.page)((c) => window.pamojaWebrtcBench.start(c), {
        ...config,
        deviceId: 'wire-b',
      });
      const profiling = options.profile !== undefined && round === 0;
      if (profiling) {
        await b.cdp.send('Profiler.enable');
        await b.cdp.send('Profiler.setSamplingInterval', { interval: 500 });
        await b.cdp.send('Profiler.start');
      }
      await catchUp(a.page, b.page, round, options.small ? 120_000 : 300_000);
      if (profiling) {
        const { profile } = await b.cdp.send('Profiler.stop');
        await writeFile(options.profile!, JSON.stringify(profile));
        log(`B's profile of round 1: ${options.profile}\n${summariseProfile(profile)}`);
      }
      const catchup = await bench(b.page)(() => window.pamojaWebrtcBench.catchup());
      const received = await bench(b.page)(() => window.pamojaWebrtcBench.liveStats());
      const bytes = received.dataChannelBytesReceived;
      // The sender's channel first: a "go" on a stream A has not created yet is dropped.
      await bench(a.page)((n) => window.pamojaWebrtcBench.rawServe(n), bytes);
      const baseline = await bench(b.page)((n) => window.pamojaWebrtcBench.rawFetch(n), bytes);
      await bench(a.page)(() => window.pamojaWebrtcBench.closeRaw());
      if (catchup.transferMs === null) throw new Error('catch-up finished without a time');
      ours.push(catchup.transferMs);
      raw.push(baseline.ms);
      perRound.push({
        ...catchup,
        bytes,
        raw_ms: baseline.ms,
        raw_longest_task_ms: baseline.longestTaskMs,
      });
      log(
        `round ${round + 1}: ours ${catchup.transferMs} ms (connect +${catchup.connectedAfterMs} ms), ` +
          `raw ${baseline.ms} ms for ${bytes} bytes; longest task ${catchup.longestTaskMs} ms, ` +
          `${catchup.docChanged} doc-changed notifications`,
      );
      for (const frame of catchup.longFrames) {
        log(
          `  long frame ${Math.round(frame.duration)} ms: ${frame.scripts.join('; ') || 'no script over 20 ms'}`,
        );
      }
      if (round < rounds - 1) await bench(b.page)(() => window.pamojaWebrtcBench.stop());
    }

    // ---- idle air: the last pair stays connected, every timer real ----
    log(`idle window of ${idleWindowMs / 1000} s on the connected pair`);
    const stats = () =>
      Promise.all(
        [a.page, b.page].map((p) => bench(p)(() => window.pamojaWebrtcBench.liveStats())),
      );
    const before = await stats();
    const windowStart = Date.now();
    await sleep(idleWindowMs);
    // A ping goes out only after 120 s with no server message (L8), and a re-announce of the
    // other device resets that: wait on (at most 4 min more) until each direction showed one.
    const pinged = () =>
      ['ping', 'pong'].every((kind) =>
        proxy.events.some((e) => e.at >= windowStart && e.kind === kind),
      );
    for (let waited = 0; !pinged() && waited < 240_000; waited += 5_000) await sleep(5_000);
    const after = await stats();
    const windowEvents = proxy.events.filter((e) => e.at >= windowStart);
    const windowS = (Date.now() - windowStart) / 1000;
    const sum = (events: readonly FrameEvent[]) => events.reduce((n, e) => n + e.bytes, 0);
    const keepAlive = windowEvents.filter((e) =>
      ['ping', 'pong', 'ws-ping', 'ws-pong'].includes(e.kind),
    );
    const publishes = windowEvents.filter((e) => e.kind === 'publish');
    const announcesSent = publishes.filter((e) => e.dir === 'up').length;
    const other = windowEvents.filter((e) => !keepAlive.includes(e) && !publishes.includes(e));
    const delta = (
      k: 'dataChannelBytesSent' | 'transportBytesSent' | 'iceRequestsSent' | 'iceResponsesSent',
    ) => after.reduce((n, s, i) => n + s[k] - (before[i]?.[k] ?? 0), 0);
    const dcIdle = delta('dataChannelBytesSent');

    // ---- 20 visits on the clinic's device A, replicated to B ----
    const visitsBefore = await stats();
    await bench(a.page)(([n, p]) => window.pamojaWebrtcBench.recordVisits(n, p), [
      VISITS_PER_DAY,
      Math.min(500, docs),
    ] as const);
    await sleep(3_000);
    const visitsAfter = await stats();
    const visitBytes = visitsAfter.reduce(
      (n, s, i) => n + s.dataChannelBytesSent - (visitsBefore[i]?.dataChannelBytesSent ?? 0),
      0,
    );

    const scale = DAY_S / windowS;
    const bytesPerAnnounce = announcesSent > 0 ? sum(publishes) / announcesSent : null;
    const perDevice = announcesPerDay();
    // L8: a device pings after each 120 s with no message from the server; at most every 120 s
    // (a re-announce of the other device only resets the wait), so at most 720 a day each.
    const appPings = keepAlive.filter((e) => e.kind === 'ping' || e.kind === 'pong');
    const meanBytes = (kind: string) => {
      const seen = appPings.filter((e) => e.kind === kind);
      return seen.length === 0 ? null : sum(seen) / seen.length;
    };
    const pingBytes = meanBytes('ping');
    const pongBytes = meanBytes('pong');
    const pingsPerDevicePerDay = DAY_S / PING_AFTER_SILENCE_S;
    const wsKeepAlive = keepAlive.filter((e) => e.kind === 'ws-ping' || e.kind === 'ws-pong');
    const keepAlivePerDay =
      pingBytes === null || pongBytes === null
        ? sum(keepAlive) * scale
        : pingsPerDevicePerDay * 2 * (pingBytes + pongBytes) + sum(wsKeepAlive) * scale;
    const announcePerDay = (bytesPerAnnounce ?? 0) * perDevice * 2;
    const airPerDay = Math.round(
      keepAlivePerDay + announcePerDay + sum(other) * scale + dcIdle * scale + visitBytes,
    );
    const ratio = median(ours) / median(raw);
    return {
      catchup: {
        p50_ms: median(ours),
        p95_ms: quantile(ours, 0.95),
        baseline_p50_ms: median(raw),
        baseline_p95_ms: quantile(raw, 0.95),
      },
      air_bytes_per_day: airPerDay,
      details: {
        catchup: {
          docs,
          visits_per_patient: 5,
          rounds,
          cpu_throttle: options.cpuThrottle,
          path: 'oursSigned (bench/webrtc/page.ts): signed repository, replica host, authenticated engine, WebRTC transport',
          timing:
            'ours: in B, from its peer connection reaching `connected` until every document matched A; ' +
            'raw: in B, from sending "go" on a negotiated data channel of the same peer connection until the ' +
            'same number of bytes (what B received in that round) arrived from A, 16 KiB chunks paced by ' +
            'bufferedAmountLowThreshold. One raw run right after each catch-up, same pair of contexts.',
          ours_ms: ours,
          raw_ms: raw,
          ours_min_ms: Math.min(...ours),
          raw_min_ms: Math.min(...raw),
          median_ratio: Math.round(ratio * 100) / 100,
          min_ratio: Math.round((Math.min(...ours) / Math.min(...raw)) * 100) / 100,
          goal_ratio: 1.25,
          longest_task_ms: Math.max(...perRound.map((r) => Number(r['longestTaskMs']))),
          goal_longest_task_ms: 200,
          doc_changed_notifications_per_catchup: perRound.map((r) => r['docChanged']),
          doc_changed_note:
            "the signed repository's onDocChanged count during B's catch-up: one per stored document; " +
            'screens coalesce these in src/ui (not measured here)',
          rounds_detail: perRound,
        },
        air: {
          formula:
            'keep-alive: (bytes of one ping + one pong, measured) × 720 a day (L8: one ping per 120 s of ' +
            'silence at most) × 2 devices + WebSocket ping/pong frames in the window × 86400/window_s ' +
            '(window-scaled alone if no ping was seen) ' +
            '+ bytes per re-announce (publish frames in the window / announces sent) × L9 announces a day × 2 devices ' +
            '+ other signaling frames in the window × 86400/window_s + idle data-channel payload × 86400/window_s ' +
            '+ data-channel payload of 20 recorded visits (both ways)',
          window_s: Math.round(windowS),
          keep_alive_frames: keepAlive.length,
          keep_alive_bytes: sum(keepAlive),
          keep_alive_bytes_per_day: Math.round(keepAlivePerDay),
          ping_frame_bytes: pingBytes,
          pong_frame_bytes: pongBytes,
          pings_per_device_per_day_at_most: pingsPerDevicePerDay,
          announces_sent_in_window: announcesSent,
          publish_frames_in_window: publishes.length,
          bytes_per_announce: bytesPerAnnounce,
          announces_per_device_per_day: perDevice,
          announce_bytes_per_day: Math.round(announcePerDay),
          other_signaling_bytes: sum(other),
          idle_data_channel_bytes: dcIdle,
          visits: VISITS_PER_DAY,
          visit_replication_bytes: visitBytes,
          clinic_patients: Math.min(500, docs),
          linear_scaling_of_window_bytes_per_day: Math.round(
            (sum(windowEvents) + dcIdle) * scale + visitBytes,
          ),
          not_counted: {
            what: "the browser's own ICE consent checks (STUN) and DTLS/SCTP framing on the open peer connection: no app timer sets them",
            dtls_transport_bytes_sent_in_window: delta('transportBytesSent'),
            ice_requests_sent_in_window: delta('iceRequestsSent'),
            ice_responses_sent_in_window: delta('iceResponsesSent'),
            tcp_ip_headers: 'not counted: WebSocket frames only, as the issue defines',
          },
          note_register:
            'the bench page stores patient documents only: the register summary update a visit also makes in the app is not in visit_replication_bytes',
        },
      },
    };
  } finally {
    await browser?.close();
    server.close();
    proxy.close();
    await signaling.close();
    await rm(bundleDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      small: { type: 'boolean', default: false },
      'cpu-throttle': { type: 'string', default: '4' },
      profile: { type: 'string' },
    },
  });
  measureWire({
    small: values.small ?? false,
    cpuThrottle: Number(values['cpu-throttle']),
    ...(values.profile ? { profile: values.profile } : {}),
  })
    .then((result) => console.log(JSON.stringify(result, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
