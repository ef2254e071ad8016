/** Percentiles and per-round summaries for the app benchmark (bench/README.md, App). */

export const round = (value: number, digits = 2): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of `values` (0 < p ≤ 1). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

export interface Paired {
  app: number[][];
  base: number[][];
}

export interface Measure {
  p50_ms: number;
  p95_ms: number;
  baseline_p50_ms: number;
  baseline_p95_ms: number;
}

export interface DidNotFinish {
  did_not_finish: true;
  reached: string;
}

/** The figures of an interleaved, repeated measure, and per round its min and median. */
export function summarise(samples: Paired): { figures: Measure; details: Record<string, unknown> } {
  const app = samples.app.flat();
  const base = samples.base.flat();
  const figures: Measure = {
    p50_ms: round(percentile(app, 0.5)),
    p95_ms: round(percentile(app, 0.95)),
    baseline_p50_ms: round(percentile(base, 0.5)),
    baseline_p95_ms: round(percentile(base, 0.95)),
  };
  const perRound = samples.app.map((values, i) => ({
    min_ms: round(Math.min(...values)),
    median_ms: round(percentile(values, 0.5)),
    baseline_min_ms: round(Math.min(...(samples.base[i] ?? []))),
    baseline_median_ms: round(percentile(samples.base[i] ?? [], 0.5)),
    samples: values.length,
  }));
  return {
    figures,
    details: {
      rounds: perRound,
      samples: app.length,
      p50_ratio: round(figures.p50_ms / figures.baseline_p50_ms),
      p95_ratio: round(figures.p95_ms / figures.baseline_p95_ms),
    },
  };
}
