/**
 * Flow-control benchmark (docs/protocol.md §16): a large catch-up over a slow, lossy link in
 * simulated time, measuring the peak heap of the process while it runs. The same catch-up runs
 * a second time without flow control (an unbounded window and a channel that never says "wait")
 * as a baseline; it is expected to fail the way a browser does, by overrunning the send queue.
 *
 * The documents live outside the heap on both sides, as on a phone (they are on disk there): the
 * source builds each document's update when asked for it, the sink keeps only state vectors. So
 * the heap measured is the sync machinery's: queues, windows, the encoded diffs in flight.
 *
 *   npx tsx bench/sync/flow.ts [--flow-mb 200] [--flow-kbps 64]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { DocId } from '../../src/crdt/doc-id';
import type { RemoteOutcome } from '../../src/crdt/policy/refusal';
import { createSeededRandom } from '../../src/lib/deps';
import { decodeStateVector } from '../../src/sync/digest';
import { createSyncEngine, type SyncEngine } from '../../src/sync/engine';
import type { SyncLimits } from '../../src/sync/limits';
import type {
  Channel,
  IncomingChange,
  PeerId,
  ReplicaHost,
  Timers,
  Transport,
} from '../../src/sync/ports';
import { createMemoryNetwork, type LinkShaping } from '../../src/sync/transports/memory';
import { interleaved, median, summarise, type RoundSummary } from './rounds';

const FACILITY = '01020001';
/** Within the update policy's patient budgets (§15: at most 50,000 items per update). */
const DOC_BYTES = 40 * 1024;
const EPOCH = Date.UTC(2026, 0, 1);

export interface FlowFigures {
  link_kbps: number;
  catchup_bytes: number;
  peak_heap_bytes: number;
  completed: boolean;
}

export interface FlowRun extends FlowFigures {
  simulated_hours: number;
  wall_ms: number;
  docs: number;
  heap_before_bytes: number;
  peak_send_queue_bytes: number;
  failure: string | null;
}

const neverTimers: Timers = { setTimeout: () => 0, clearTimeout: () => undefined };

function docIdOf(i: number): DocId {
  return `patient:${FACILITY}${String(i).padStart(6, '0')}` as DocId;
}

function stateVectorOf(client: number, clock: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, clock);
  return encoding.toUint8Array(e);
}

const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());
const FILLER = 'Visit note: feeling well, adherence good, next appointment in three months. ';

/** The source: every document built on demand from its number (it is "on disk"). */
function sourceHost(docs: number): ReplicaHost {
  const ids = new Map<DocId, number>();
  for (let i = 0; i < docs; i++) ids.set(docIdOf(i), i);
  const clientOf = (i: number) => 1_000 + i;
  const contentOf = (i: number) =>
    `${i}:`.concat(FILLER.repeat(Math.ceil(DOC_BYTES / FILLER.length))).slice(0, DOC_BYTES);
  const holdings = new Set(ids.keys());
  return {
    holdings: () => holdings,
    isRelay: () => false,
    stateVector: (docId) =>
      Promise.resolve(stateVectorOf(clientOf(ids.get(docId) ?? 0), DOC_BYTES)),
    changesSince(docId, remote) {
      const i = ids.get(docId) ?? 0;
      const known = decodeStateVector(remote);
      // A host that does not sign answers with one diff (empty when the peer has everything).
      if (known.ok && (known.value.get(clientOf(i)) ?? 0) >= DOC_BYTES) {
        return Promise.resolve([EMPTY_UPDATE]);
      }
      const doc = new Y.Doc();
      doc.clientID = clientOf(i);
      doc.getText('notes').insert(0, contentOf(i));
      const update = Y.encodeStateAsUpdate(doc);
      doc.destroy();
      return Promise.resolve([update]);
    },
    applyRemoteChanges: (_docId, changes) =>
      Promise.resolve(changes.map((): RemoteOutcome => ({ type: 'unchanged' }))),
    onDocUpdate: () => () => undefined,
    onHoldingsChanged: () => () => undefined,
  };
}

/** The sink: stores updates "to disk" (counts them) and keeps only their state vectors. */
function sinkHost(): ReplicaHost & { receivedBytes: number } {
  const vectors = new Map<DocId, Uint8Array>();
  const holdings = new Set<DocId>();
  const holdingsListeners = new Set<(added: readonly DocId[]) => void>();
  const host = {
    receivedBytes: 0,
    holdings: () => holdings,
    isRelay: () => false,
    stateVector: (docId: DocId) => Promise.resolve(vectors.get(docId) ?? new Uint8Array([0])),
    changesSince: () => Promise.resolve([EMPTY_UPDATE]),
    applyRemoteChanges(
      docId: DocId,
      changes: readonly IncomingChange[],
      _from: PeerId,
    ): Promise<RemoteOutcome[]> {
      for (const { update } of changes) {
        host.receivedBytes += update.length;
        // The source sends each document whole, in one change: its vector is the document's.
        vectors.set(docId, Y.encodeStateVectorFromUpdate(update));
      }
      if (!holdings.has(docId)) {
        holdings.add(docId);
        for (const listener of holdingsListeners) listener([docId]);
      }
      return Promise.resolve(changes.map((): RemoteOutcome => ({ type: 'applied' })));
    },
    onDocUpdate: () => () => undefined,
    onHoldingsChanged(listener: (added: readonly DocId[]) => void) {
      holdingsListeners.add(listener);
      return () => holdingsListeners.delete(listener);
    },
  };
  return host;
}

/** The baseline's channel: never asks the sender to wait, like a sender that ignores it. */
function withoutBackpressure(transport: Transport): Transport {
  return {
    onPeerConnected(listener) {
      return transport.onPeerConnected((peer, channel) => {
        const open: Channel = {
          send: (frame) => channel.send(frame),
          close: (reason) => channel.close(reason),
          onMessage: (l) => channel.onMessage(l),
          onClose: (l) => channel.onClose(l),
          writable: () => Promise.resolve(),
        };
        listener(peer, open);
      });
    },
  };
}

const heapNow = (): number => {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runFlow(options: {
  megabytes: number;
  kbps: number;
  flowControl: boolean;
}): Promise<FlowRun> {
  const docs = Math.max(1, Math.round((options.megabytes * 1e6) / DOC_BYTES));
  const shaping: LinkShaping = {
    bandwidthBps: options.kbps * 1000,
    latencyMs: 150,
    lossRate: 0.02,
    retransmitMs: 1_000,
    lowWaterBytes: 64 * 1024,
    // Chromium closes a data channel whose send queue passes this.
    maxBufferedBytes: 64 * 1024 * 1024,
  };
  const net = createMemoryNetwork({ seed: 64, shaping });
  const source = sourceHost(docs);
  const sink = sinkHost();
  const unbounded: Partial<SyncLimits> = { windowMessages: 2 ** 32 - 1, windowBytes: 2 ** 32 - 1 };
  const closes: string[] = [];
  const engines: SyncEngine[] = (['dev-a', 'dev-b'] as const).map((id, i) => {
    const transport = net.node(id);
    return createSyncEngine({
      host: i === 0 ? source : sink,
      deviceId: id,
      facility: FACILITY,
      transports: [options.flowControl ? transport : withoutBackpressure(transport)],
      clock: { now: () => EPOCH + net.now() },
      timers: neverTimers,
      random: createSeededRandom(i + 11),
      logger: {
        log: (_level, event, details) => {
          if (event === 'sync.session-closed') closes.push(String(details.detail));
        },
      },
      ...(options.flowControl ? {} : { limits: unbounded }),
    });
  });
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = heapNow();
  let peak = heapBefore;
  const started = performance.now();
  net.link('dev-a', 'dev-b');
  let quiet = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let turn = 0; quiet < 3; turn++) {
    const delivered = net.step();
    await macrotask();
    // With --expose-gc (as run.ts starts it) the samples are the live heap after collection:
    // what the sync machinery holds, not garbage waiting for the collector.
    if (turn % 128 === 0) {
      gc?.();
      peak = Math.max(peak, heapNow());
    } else if (!gc && turn % 16 === 0) peak = Math.max(peak, heapNow());
    quiet = delivered || net.inFlight() > 0 ? 0 : quiet + 1;
  }
  const held = sink.holdings();
  const complete = held.size === docs && sink.receivedBytes >= docs * DOC_BYTES;
  for (const engine of engines) engine.stop();
  return {
    link_kbps: options.kbps,
    catchup_bytes: sink.receivedBytes,
    peak_heap_bytes: peak,
    completed: complete,
    docs,
    simulated_hours: Math.round((net.now() / 3_600_000) * 100) / 100,
    wall_ms: Math.round(performance.now() - started),
    heap_before_bytes: heapBefore,
    peak_send_queue_bytes: net.peakBufferedBytes,
    failure: complete ? null : (closes[0] ?? 'stopped before every document arrived'),
  };
}

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

export interface FlowRounds {
  count: number;
  order: string;
  flow: { peak_heap_bytes: RoundSummary; wall_ms: RoundSummary; completed_rounds: number };
  baseline: {
    peak_heap_bytes: RoundSummary;
    peak_send_queue_bytes: RoundSummary;
    completed_rounds: number;
    catchup_bytes: RoundSummary;
  };
}

export interface FlowBenchFigures {
  flow: FlowFigures;
  baseline: FlowRun;
  run: FlowRun;
  rounds: FlowRounds;
}

/**
 * The figures for bench/results/sync.json: the flow-controlled run and the baseline beside it,
 * interleaved over `--rounds` rounds (at least 3). `flow` is the median round (its heap the
 * median of the rounds, `completed` only if every round completed); `catchup_bytes` is
 * deterministic (a seeded link), checked equal in every round.
 */
export async function flowBench(): Promise<FlowBenchFigures> {
  const megabytes = arg('flow-mb', 200);
  const kbps = arg('flow-kbps', 64);
  const rounds = Math.max(3, arg('rounds', 3));
  const { a: runs, b: baselines } = await interleaved(
    rounds,
    () => runFlow({ megabytes, kbps, flowControl: true }),
    () => runFlow({ megabytes, kbps, flowControl: false }),
  );
  const bytes = new Set(runs.map((r) => r.catchup_bytes));
  if (bytes.size !== 1)
    throw new Error(`flow: catch-up bytes differ between rounds: ${[...bytes].join(', ')}`);
  const heap = median(runs.map((r) => r.peak_heap_bytes));
  const run = runs.find((r) => r.peak_heap_bytes === heap) ?? runs[0]!;
  const baselineHeap = median(baselines.map((r) => r.peak_heap_bytes));
  const baseline = baselines.find((r) => r.peak_heap_bytes === baselineHeap) ?? baselines[0]!;
  const flow: FlowFigures = {
    link_kbps: run.link_kbps,
    catchup_bytes: run.catchup_bytes,
    peak_heap_bytes: Math.round(heap),
    completed: runs.every((r) => r.completed),
  };
  return {
    flow,
    baseline: { ...baseline, peak_heap_bytes: Math.round(baselineHeap) },
    run,
    rounds: {
      count: rounds,
      order: 'flow-controlled and baseline alternate, flow-controlled first in even rounds',
      flow: {
        peak_heap_bytes: summarise(
          runs.map((r) => r.peak_heap_bytes),
          0,
        ),
        wall_ms: summarise(
          runs.map((r) => r.wall_ms),
          0,
        ),
        completed_rounds: runs.filter((r) => r.completed).length,
      },
      baseline: {
        peak_heap_bytes: summarise(
          baselines.map((r) => r.peak_heap_bytes),
          0,
        ),
        peak_send_queue_bytes: summarise(
          baselines.map((r) => r.peak_send_queue_bytes),
          0,
        ),
        completed_rounds: baselines.filter((r) => r.completed).length,
        catchup_bytes: summarise(
          baselines.map((r) => r.catchup_bytes),
          0,
        ),
      },
    },
  };
}

/**
 * Runs the flow bench in a child Node with `--expose-gc`, so its heap samples are live heap, and
 * the other scenarios of run.ts leave nothing behind in it.
 */
export function flowBenchInChild(): FlowBenchFigures {
  const here = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', here, '--json', ...process.argv.slice(2)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (child.status !== 0) throw new Error(`flow bench failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as FlowBenchFigures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await flowBench();
  console.log(JSON.stringify(figures, null, process.argv.includes('--json') ? 0 : 2));
}
