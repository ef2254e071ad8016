/**
 * `--check` (CI, small size): each figure's ratio to its own baseline in the same run, against a
 * generous bound. Never an absolute time: a slow CI machine slows both sides alike. A measure
 * that did not finish fails the check too.
 */

/**
 * Bounds on app ÷ baseline at the small size (500 patients, 2,000 and 4,000 directory rows),
 * about two to three times the ratios of the small run on the 2-core machine after issue 9's
 * changes (save p95 ≈ 6–18, search p95 ≈ 1.2–1.8, cold start p50 ≈ 1.3–1.8, catch-up p50 ≈ 50–62,
 * stored bytes ≈ 0.3 × JSON), so only a real regression trips them (a whole-register copy on the
 * save path, a search that scans, a start-up that reads twice), not noise. Catch-up's bound is
 * wide because its goal (1.25×) is far from met: it guards against it getting worse.
 */
export const ratioBounds = {
  save_p95: 30,
  search_10k_p95: 10,
  search_100k_p95: 10,
  cold_start_p50: 3,
  catchup_p50: 150,
  stored_bytes_over_json: 0.6,
} as const;

interface Figures {
  p50_ms: number;
  p95_ms: number;
  baseline_p50_ms: number;
  baseline_p95_ms: number;
}

const isFigures = (value: unknown): value is Figures =>
  typeof value === 'object' && value !== null && 'p50_ms' in value && 'baseline_p50_ms' in value;

/** Problems found, empty when every ratio is within its bound. */
export function checkRatios(results: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const ratio = (key: string, which: 'p50' | 'p95', bound: number) => {
    const figures = results[key];
    if (!isFigures(figures)) {
      problems.push(`${key}: no figures (${JSON.stringify(figures)})`);
      return;
    }
    const value = figures[`${which}_ms`] / Math.max(figures[`baseline_${which}_ms`], 0.05);
    if (!(value <= bound)) problems.push(`${key} ${which} ratio ${value.toFixed(2)} > ${bound}`);
  };
  ratio('save', 'p95', ratioBounds.save_p95);
  ratio('search_10k', 'p95', ratioBounds.search_10k_p95);
  ratio('search_100k', 'p95', ratioBounds.search_100k_p95);
  ratio('cold_start', 'p50', ratioBounds.cold_start_p50);
  ratio('catchup', 'p50', ratioBounds.catchup_p50);
  const stored = (results.details as { stored_bytes?: { ratio_to_json?: number } } | undefined)
    ?.stored_bytes?.ratio_to_json;
  if (typeof stored !== 'number') problems.push('stored bytes: not measured');
  else if (stored > ratioBounds.stored_bytes_over_json)
    problems.push(`stored bytes ${stored} × JSON > ${ratioBounds.stored_bytes_over_json}`);
  return problems;
}
