/**
 * How bench/webrtc/run.ts turns its rounds into bench/results/webrtc.json (issue 9 point 7):
 * every set-up runs in each of ≥ 3 interleaved rounds; each figure is reported with its min and
 * median; a set-up that did not finish is reported as "did not finish" with what it reached,
 * never as a ratio of the give-up timer.
 */
import { median, summarise, type RoundSummary } from '../sync/rounds';

export interface Figures {
  complete: boolean;
  docs: number;
  docs_synced: number;
  /** From B starting to connect until every doc of B equals A's; null when it never did. */
  sync_ms: number | null;
  /** Time B ran: sync_ms when complete, otherwise until the run was stopped. */
  elapsed_ms: number;
  // From `getStats()` after the run; null when a page did not answer (`stats_unavailable`).
  wire_bytes: number | null;
  update_bytes: number;
  wire_over_update: number | null;
  peer_connections: number | null;
  peer_connections_by_device: { a: number; b: number } | null;
  open_peer_connections_by_device: { a: number; b: number } | null;
  dtls_transport_bytes: number | null;
  send_hook_bytes: number | null;
  data_channel_messages: number | null;
  closed_peer_connections_not_counted: number | null;
  engine_bytes_sent?: number;
  stats_unavailable?: string;
  /** [seconds since B started, docs synced, B's open peer connections], every few seconds. */
  progress: [number, number, number][];
  stopped_because?: string;
  errors: string[];
}

export const round = (value: number, digits = 3): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

/** What a set-up that never finished reached before it was stopped; `null` when it finished. */
export function didNotFinish(figures: Figures) {
  if (figures.complete) return null;
  return {
    docs_synced: figures.docs_synced,
    docs: figures.docs,
    ran_ms: figures.elapsed_ms,
    stopped_because: figures.stopped_because ?? 'unknown',
  };
}

/**
 * The round reported in full: the median by sync time among rounds that finished, counted
 * after every round that did not (those ordered by how far they got), so a set-up that
 * finished in most rounds is shown finished and one that mostly failed is shown failing.
 */
export function medianRound(runs: readonly Figures[]): Figures {
  if (runs.length === 0) throw new Error('no rounds');
  const sorted = [...runs].sort((x, y) => {
    if (x.complete !== y.complete) return x.complete ? -1 : 1;
    return x.complete ? x.elapsed_ms - y.elapsed_ms : y.docs_synced - x.docs_synced;
  });
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Baseline over ours; `null` where ours is zero or either is unknown. */
const ratio = (baseline: number | null, ours: number | null): number | null =>
  baseline !== null && ours !== null && ours > 0 ? round(baseline / ours, 2) : null;

function pairRatios(baseline: Figures, ours: Figures) {
  return {
    // Bytes of a baseline that did not finish compare nothing: it did not move the same data.
    wire_bytes: baseline.complete ? ratio(baseline.wire_bytes, ours.wire_bytes) : null,
    // A stopped baseline moved fewer documents; per synced document is the fair comparison.
    wire_bytes_per_synced_doc:
      baseline.docs_synced > 0 && baseline.wire_bytes !== null && ours.wire_bytes !== null
        ? ratio(
            baseline.wire_bytes / baseline.docs_synced,
            ours.wire_bytes / Math.max(1, ours.docs_synced),
          )
        : null,
    update_bytes: ratio(baseline.update_bytes, ours.update_bytes),
    // A baseline that never finished has no time to compare; how long it ran is our own
    // give-up timer, so no ratio is made of it: `did_not_finish` says what it reached.
    sync_ms:
      baseline.complete && ours.complete ? ratio(baseline.elapsed_ms, ours.elapsed_ms) : null,
    peer_connections: ratio(baseline.peer_connections, ours.peer_connections),
  };
}

/** Min and median of the values, or null when there are none (no round finished). */
const summaryOrNull = (values: readonly number[]): RoundSummary | null =>
  values.length > 0 ? summarise(values) : null;

/** Over the rounds whose stats were read; `stats_read_rounds` says how many those were. */
const known = (values: ReadonlyArray<number | null>): RoundSummary | null =>
  summaryOrNull(values.filter((v): v is number => v !== null));

/** One set-up over its rounds: how many finished, and min/median of what each round reached. */
export function roundsOf(runs: readonly Figures[]) {
  const finished = runs.filter((run) => run.complete);
  return {
    rounds: runs.length,
    finished_rounds: finished.length,
    did_not_finish_rounds: runs.length - finished.length,
    // Only rounds that finished have a sync time; the others are in `docs_synced`.
    sync_ms: summaryOrNull(finished.map((run) => run.elapsed_ms)),
    docs_synced: summarise(runs.map((run) => run.docs_synced)),
    elapsed_ms: summarise(runs.map((run) => run.elapsed_ms)),
    stats_read_rounds: runs.filter((run) => run.stats_unavailable === undefined).length,
    wire_bytes: known(runs.map((run) => run.wire_bytes)),
    wire_over_update: known(runs.map((run) => run.wire_over_update)),
    peer_connections: known(runs.map((run) => run.peer_connections)),
    /** Each round's outcome: null when it finished, else what it reached. */
    did_not_finish: runs.map(didNotFinish),
  };
}

const RATIO_KEYS = [
  'wire_bytes',
  'wire_bytes_per_synced_doc',
  'update_bytes',
  'sync_ms',
  'peer_connections',
] as const;
type RatioKey = (typeof RATIO_KEYS)[number];

/**
 * Baseline over ours, round by round (the rounds are paired: the same round of each). Each ratio
 * is the median of the per-round ratios, and null unless every round has one: a time ratio over
 * the rounds a baseline happened to finish would hide the rounds it did not.
 */
export function ratiosOver(baselineRuns: readonly Figures[], oursRuns: readonly Figures[]) {
  const perRound = baselineRuns.map((baseline, i) => pairRatios(baseline, oursRuns[i]!));
  const medians = {} as Record<RatioKey, number | null>;
  const rounds = {} as Record<RatioKey, RoundSummary | null>;
  for (const key of RATIO_KEYS) {
    const values = perRound.map((r) => r[key]);
    const summary = values.every((v) => v !== null) ? summarise(values, 2) : null;
    rounds[key] = summary;
    medians[key] = summary?.median ?? null;
  }
  return {
    ...medians,
    baseline_did_not_finish_rounds: baselineRuns.filter((run) => !run.complete).length,
    rounds,
  };
}

/** Issue 8 point 11: the same catch-up into a B that verifies every change and one that does not. */
export function signedFigures(
  verified: readonly Figures[],
  unverified: readonly Figures[],
  docs: number,
) {
  const on = roundsOf(verified).sync_ms;
  const off = roundsOf(unverified).sync_ms;
  const perRound = verified.flatMap((v, i) => {
    const u = unverified[i]!;
    return v.sync_ms !== null && u.sync_ms !== null && u.sync_ms > 0 ? [v.sync_ms / u.sync_ms] : [];
  });
  return {
    // Medians over the rounds that finished; null when none did (the rounds say why).
    catchup_ms_verified: on?.median ?? null,
    catchup_ms_unverified: off?.median ?? null,
    verified_over_unverified: perRound.length > 0 ? round(median(perRound)) : null,
    verified_over_unverified_per_round: summaryOrNull(perRound),
    docs,
    rounds: { verified: roundsOf(verified), unverified: roundsOf(unverified) },
  };
}
