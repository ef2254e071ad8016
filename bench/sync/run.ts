/**
 * Sync benchmark: the engine against a per-document baseline (one state vector per document on
 * every connect, as with one y-webrtc room per document), both over the in-memory transport in
 * the same run. Writes bench/results/sync.json. Method: bench/README.md (sync section).
 *
 *   npx tsx bench/sync/run.ts [--docs 5000] [--changed-docs 50] [--updates 500] [--rounds 3]
 *
 * Every figure is measured in `rounds` rounds (at least 3), engine and baseline interleaved
 * (issue 9 point 7); the top-level keys are the medians, `rounds` holds min and median.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { DocId } from '../../src/crdt/doc-id';
import { createSeededRandom } from '../../src/lib/deps';
import { createSyncEngine } from '../../src/sync/engine';
import { createMemoryHost, type MemoryHost } from '../../src/sync/memory-host';
import type { Channel, Transport } from '../../src/sync/ports';
import { createMemoryNetwork, type MemoryNetwork } from '../../src/sync/transports/memory';
import { flowBenchInChild } from './flow';
import { interleaved, median, summarise, type RoundSummary } from './rounds';
import { scaleBench } from './scale';
import { signedBench } from './signed';

const FACILITY = '01020001';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const DOCS = arg('docs', 5_000);
const CHANGED_DOCS = arg('changed-docs', 50);
const UPDATES = arg('updates', 500);
const ROUNDS = Math.max(3, arg('rounds', 3));

function docIds(count: number): DocId[] {
  const ids: DocId[] = ['network' as DocId, `register:${FACILITY}` as DocId];
  for (let i = 0; ids.length < count; i++)
    ids.push(`patient:${FACILITY}${String(i).padStart(6, '0')}` as DocId);
  return ids;
}

/** Both hosts get identical copies of every document (as after an earlier full sync). */
function seed(a: MemoryHost, b: MemoryHost, ids: readonly DocId[]): void {
  for (const id of ids) {
    a.change(id, (doc) => {
      doc.getMap('demographics').set('givenName', `Patient ${id.slice(-6)}`);
      doc.getArray('visits').push([{ date: '2025-01-10', weightKg: 55 }]);
    });
    Y.applyUpdate(b.doc(id), Y.encodeStateAsUpdate(a.doc(id)));
  }
}

function recordVisits(host: MemoryHost, ids: readonly DocId[]): number {
  let bytes = 0;
  const stop = host.onDocUpdate((_id, changes) => {
    for (const change of changes) bytes += change.length;
  });
  for (let n = 0; n < UPDATES; n++) {
    const id = ids[(n * 7) % CHANGED_DOCS] as DocId;
    host.change(id, (doc) => {
      const visit = new Y.Map<unknown>();
      for (const [key, value] of Object.entries({
        date: '2026-03-14',
        facilityCode: FACILITY,
        visitType: 'clinic',
        weightKg: 50 + (n % 20),
        tbScreen: 'negative',
        arvStatus: 'continue',
        regimen: '1r-A',
        daysSupplied: 90,
        adherence: 'good',
        nextAppointment: '2026-06-12',
        note: `Visit ${n}: feeling well, no complaints.`,
      })) {
        visit.set(key, value);
      }
      doc.getArray('visits').push([visit]);
    });
  }
  stop();
  return bytes;
}

/**
 * The baseline: on every connect, sync step 1 for every document, answered by step 2, and live
 * updates per document: what one provider room per document does, minus its connection cost.
 */
function attachBaseline(host: MemoryHost, transport: Transport): void {
  const channels = new Set<Channel>();
  const send = (channel: Channel, docId: string, write: (e: encoding.Encoder) => void): void => {
    const e = encoding.createEncoder();
    encoding.writeVarString(e, docId);
    write(e);
    channel.send(encoding.toUint8Array(e));
  };
  transport.onPeerConnected((_peer, channel) => {
    channels.add(channel);
    channel.onClose(() => channels.delete(channel));
    channel.onMessage((frame) => {
      const d = decoding.createDecoder(frame);
      const docId = decoding.readVarString(d) as DocId;
      const reply = encoding.createEncoder();
      syncProtocol.readSyncMessage(d, reply, host.doc(docId), channel);
      if (encoding.length(reply) > 0)
        send(channel, docId, (e) => encoding.writeUint8Array(e, encoding.toUint8Array(reply)));
    });
    for (const docId of host.holdings())
      send(channel, docId, (e) => syncProtocol.writeSyncStep1(e, host.doc(docId)));
  });
  host.onDocUpdate((docId, changes, origin) => {
    for (const channel of channels) {
      if (origin !== 'local') continue;
      // The memory host does not sign: each change is a bare Yjs update.
      for (const update of changes)
        send(channel, docId, (e) => syncProtocol.writeUpdate(e, update));
    }
  });
}

interface Figures {
  docs: number;
  idle_reconnect_bytes: number;
  catchup_update_bytes: number;
  catchup_wire_bytes: number;
  catchup_ms: number;
  idle_reconnect_ms: number;
}

async function scenario(
  kind: 'engine' | 'baseline',
): Promise<Figures & { digest_recomputed_on_idle_reconnect?: number }> {
  const net: MemoryNetwork = createMemoryNetwork({ seed: 7 });
  const a = createMemoryHost();
  const b = createMemoryHost();
  const ids = docIds(DOCS);
  seed(a, b, ids);
  const engines =
    kind === 'engine'
      ? (['dev-a', 'dev-b'] as const).map((id, i) =>
          createSyncEngine({
            host: i === 0 ? a : b,
            deviceId: id,
            facility: FACILITY,
            transports: [net.node(id)],
            random: createSeededRandom(i + 1),
          }),
        )
      : [];
  if (kind === 'baseline') {
    attachBaseline(a, net.node('dev-a'));
    attachBaseline(b, net.node('dev-b'));
  }
  net.link('dev-a', 'dev-b');
  await net.flush();

  net.setOnline('dev-b', false);
  const digestsBefore = engines.reduce((s, e) => s + e.digestStats().computed, 0);
  let bytes = net.stats.bytesDelivered;
  let start = performance.now();
  net.setOnline('dev-b', true);
  await net.flush();
  const idleMs = performance.now() - start;
  const idleBytes = net.stats.bytesDelivered - bytes;
  const digestsRecomputed =
    engines.reduce((s, e) => s + e.digestStats().computed, 0) - digestsBefore;

  net.setOnline('dev-b', false);
  const updateBytes = recordVisits(a, ids);
  bytes = net.stats.bytesDelivered;
  start = performance.now();
  net.setOnline('dev-b', true);
  await net.flush();
  const catchupMs = performance.now() - start;
  const wire = net.stats.bytesDelivered - bytes;
  for (const id of ids.slice(0, CHANGED_DOCS)) {
    if (!Y.equalSnapshots(Y.snapshot(a.doc(id)), Y.snapshot(b.doc(id)))) {
      throw new Error(`${kind}: ${id} did not converge`);
    }
  }
  for (const engine of engines) engine.stop();
  return {
    docs: DOCS,
    idle_reconnect_bytes: idleBytes,
    idle_reconnect_ms: Math.round(idleMs),
    catchup_update_bytes: updateBytes,
    catchup_wire_bytes: wire,
    catchup_ms: Math.round(catchupMs),
    ...(kind === 'engine' ? { digest_recomputed_on_idle_reconnect: digestsRecomputed } : {}),
  };
}

const ratio = (a: number, b: number): number => Math.round((a / b) * 1000) / 1000;

type FigureKey = Exclude<keyof Figures, 'docs'>;
const FIGURE_KEYS: readonly FigureKey[] = [
  'idle_reconnect_bytes',
  'idle_reconnect_ms',
  'catchup_update_bytes',
  'catchup_wire_bytes',
  'catchup_ms',
];

/** The median round of each figure (byte counts vary by a few bytes: Yjs client ids are random). */
function medianFigures<T extends Figures>(runs: readonly T[]): T {
  const out = { ...runs[0]! };
  for (const key of FIGURE_KEYS) out[key] = median(runs.map((run) => run[key]));
  return out;
}

function summaries(runs: readonly Figures[]): Record<FigureKey, RoundSummary> {
  const out = {} as Record<FigureKey, RoundSummary>;
  for (const key of FIGURE_KEYS) out[key] = summarise(runs.map((run) => run[key]));
  return out;
}

/** Per-round ratio baseline / engine (rounds are paired: the same round of each). */
const pairedRatio = (
  engineRuns: readonly Figures[],
  baselineRuns: readonly Figures[],
  key: FigureKey,
): RoundSummary => summarise(engineRuns.map((run, i) => baselineRuns[i]![key] / run[key]));

// §16: a 200 MB catch-up over 64 kbit/s with 2 % loss, in simulated time (bench/sync/flow.ts).
// In a child process with --expose-gc, so its heap figures are its own (live heap).
const flowFigures = flowBenchInChild();
const scenarioRounds = await interleaved(
  ROUNDS,
  () => scenario('engine'),
  () => scenario('baseline'),
);
const engine = medianFigures(scenarioRounds.a);
const baseline = medianFigures(scenarioRounds.b);
const idleRatio = pairedRatio(scenarioRounds.a, scenarioRounds.b, 'idle_reconnect_bytes');
const wireRatio = pairedRatio(scenarioRounds.a, scenarioRounds.b, 'catchup_wire_bytes');
const msRatio = pairedRatio(scenarioRounds.a, scenarioRounds.b, 'catchup_ms');
// Issue 7 point 8: 5,000 and 50,000 patients in 50 registers (bench/sync/scale.ts).
const scaleFigures = await scaleBench(undefined, ROUNDS);
// Issue 8 point 11: catch-up with and without verifying signed changes (bench/sync/signed.ts).
const signedFigures = await signedBench({
  docs: arg('signed-docs', 500),
  changedDocs: CHANGED_DOCS,
  updates: UPDATES,
  rounds: Math.max(6, ROUNDS),
  idleDocs: DOCS,
});
const result = {
  measured_at: new Date().toISOString(),
  method: 'bench/README.md#sync',
  changed_docs: CHANGED_DOCS,
  updates: UPDATES,
  ...engine,
  catchup_wire_over_update: ratio(engine.catchup_wire_bytes, engine.catchup_update_bytes),
  baseline: {
    ...baseline,
    catchup_wire_over_update: ratio(baseline.catchup_wire_bytes, baseline.catchup_update_bytes),
  },
  ratios: {
    // Medians of the per-round ratios (the rounds are paired).
    idle_reconnect_bytes_baseline_over_engine: idleRatio.median,
    catchup_wire_bytes_baseline_over_engine: wireRatio.median,
    catchup_ms_baseline_over_engine: msRatio.median,
  },
  // Min and median of each figure over the interleaved rounds; the keys above are the medians.
  rounds: {
    count: ROUNDS,
    order: 'engine and baseline alternate, engine first in even rounds',
    engine: summaries(scenarioRounds.a),
    baseline: summaries(scenarioRounds.b),
    ratios: {
      idle_reconnect_bytes_baseline_over_engine: idleRatio,
      catchup_wire_bytes_baseline_over_engine: wireRatio,
      catchup_ms_baseline_over_engine: msRatio,
    },
  },
  flow: flowFigures.flow,
  flow_baseline: flowFigures.baseline,
  flow_rounds: flowFigures.rounds,
  scale: scaleFigures.scale,
  scale_baseline: scaleFigures.baseline,
  scale_rounds: scaleFigures.rounds,
  signed: signedFigures.signed,
  signed_details: signedFigures.signed_details,
  signed_rounds: signedFigures.signed_rounds,
};

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'sync.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
