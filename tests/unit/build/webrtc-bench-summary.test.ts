/**
 * Issue 9 point 7: bench:webrtc reports a baseline that does not finish as "did not finish" with
 * what it reached, never as a ratio of the give-up timer (the old "57×"), and takes min and
 * median over interleaved rounds (bench/webrtc/summary.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  medianRound,
  ratiosOver,
  roundsOf,
  signedFigures,
  type Figures,
} from '../../../bench/webrtc/summary';

function run(overrides: Partial<Figures>): Figures {
  const complete = overrides.complete ?? true;
  const elapsed = overrides.elapsed_ms ?? 1_000;
  return {
    complete,
    docs: 1000,
    docs_synced: complete ? 1000 : 0,
    sync_ms: complete ? elapsed : null,
    elapsed_ms: elapsed,
    wire_bytes: 4_400_000,
    update_bytes: 4_400_000,
    wire_over_update: 1,
    peer_connections: 1,
    peer_connections_by_device: { a: 1, b: 1 },
    open_peer_connections_by_device: { a: 1, b: 1 },
    dtls_transport_bytes: 4_800_000,
    send_hook_bytes: 4_400_000,
    data_channel_messages: 2000,
    closed_peer_connections_not_counted: 0,
    progress: [],
    errors: [],
    ...overrides,
  };
}

const ours = [1_000, 3_000, 2_000].map((elapsed_ms) => run({ elapsed_ms }));
const stopped = (docs_synced: number, elapsed_ms = 60_000): Figures =>
  run({
    complete: false,
    docs_synced,
    elapsed_ms,
    wire_bytes: 0,
    stopped_because: 'no progress for 60 s after an error',
  });

describe('bench:webrtc summary', () => {
  it('makes no time or byte ratio of a baseline that did not finish, and says what it reached', () => {
    const ratios = ratiosOver([stopped(0), stopped(231, 131_094), stopped(0)], ours);
    expect(ratios.sync_ms).toBeNull();
    expect(ratios.wire_bytes).toBeNull();
    expect(ratios.baseline_did_not_finish_rounds).toBe(3);
    const baseline = roundsOf([stopped(0), stopped(231, 131_094), stopped(0)]);
    expect(baseline.sync_ms).toBeNull();
    expect(baseline.finished_rounds).toBe(0);
    expect(baseline.docs_synced.rounds).toEqual([0, 231, 0]);
    expect(baseline.did_not_finish[1]).toEqual({
      docs_synced: 231,
      docs: 1000,
      ran_ms: 131_094,
      stopped_because: 'no progress for 60 s after an error',
    });
  });

  it('gives no time ratio when the baseline finished in only some rounds', () => {
    const baseline = [run({ elapsed_ms: 5_000 }), stopped(10), run({ elapsed_ms: 8_000 })];
    expect(ratiosOver(baseline, ours).sync_ms).toBeNull();
    expect(roundsOf(baseline).sync_ms).toEqual({
      min: 5_000,
      median: 6_500,
      rounds: [5_000, 8_000],
    });
  });

  it('takes the median of paired per-round ratios when every round finished', () => {
    const baseline = [4_000, 6_000, 10_000].map((elapsed_ms) => run({ elapsed_ms }));
    const ratios = ratiosOver(baseline, ours);
    // Per round 4/1, 6/3, 10/2: median 4, min 2.
    expect(ratios.sync_ms).toBe(4);
    expect(ratios.rounds.sync_ms).toEqual({ min: 2, median: 4, rounds: [4, 2, 5] });
    expect(ratios.baseline_did_not_finish_rounds).toBe(0);
  });

  it('reports unknown byte counts as unknown, not zero', () => {
    const rounds = roundsOf([
      stopped(0),
      { ...stopped(231), wire_bytes: null, stats_unavailable: 'A: no answer' },
    ]);
    expect(rounds.stats_read_rounds).toBe(1);
    expect(rounds.wire_bytes?.rounds).toEqual([0]);
  });

  it('shows the median finished round in full, a mostly failing set-up as failing', () => {
    expect(medianRound(ours).elapsed_ms).toBe(2_000);
    expect(medianRound([stopped(0), run({}), stopped(5)]).complete).toBe(false);
    expect(medianRound([run({}), stopped(5), run({ elapsed_ms: 9 })]).complete).toBe(true);
  });

  it('compares verified and unverified catch-up round by round', () => {
    const verified = [1_300, 2_600, 1_200].map((elapsed_ms) => run({ elapsed_ms }));
    const unverified = [1_000, 2_000, 1_000].map((elapsed_ms) => run({ elapsed_ms }));
    const signed = signedFigures(verified, unverified, 1000);
    expect(signed.catchup_ms_verified).toBe(1_300);
    expect(signed.catchup_ms_unverified).toBe(1_000);
    expect(signed.verified_over_unverified).toBe(1.3);
    expect(signed.verified_over_unverified_per_round?.min).toBe(1.2);
  });
});
