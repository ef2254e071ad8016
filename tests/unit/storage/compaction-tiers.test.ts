import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tailToMerge } from '../../../src/storage/compaction-tiers';

const SEED = 20261204;

/** Rows after writing `sizes` one by one, compacting after each write as the stores do. */
function settle(sizes: readonly number[]): { rows: number[]; rewritten: number } {
  const rows: number[] = [];
  let rewritten = 0;
  for (const size of sizes) {
    rows.push(size);
    const merge = tailToMerge(rows);
    if (!merge) continue;
    const run = rows.splice(merge.from).reduce((a, b) => a + b, 0);
    rewritten += run;
    rows.push(run);
  }
  return { rows, rewritten };
}

describe('tiered compaction plan', () => {
  it('never merges a large base into a small new write', () => {
    expect(tailToMerge([3_000_000, 200])).toBeUndefined();
    expect(tailToMerge([3_000_000, 800, 200, 200])).toEqual({ from: 1 });
    expect(tailToMerge([3_000_000, 900, 200, 200])).toEqual({ from: 2 });
    expect(tailToMerge([500])).toBeUndefined();
    expect(tailToMerge([])).toBeUndefined();
  });

  it('merges equal small writes together, and writes that shrink a little', () => {
    expect(tailToMerge([100, 100, 100])).toEqual({ from: 0 });
    expect(tailToMerge([1526, 1525])).toEqual({ from: 0 });
  });

  it('keeps few rows and rewrites each byte a logarithmic number of times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2_000 }), { maxLength: 400 }), (sizes) => {
        const total = sizes.reduce((a, b) => a + b, 0);
        const { rows, rewritten } = settle(sizes);
        // Content is kept: merging only regroups rows.
        expect(rows.reduce((a, b) => a + b, 0)).toBe(total);
        // Each row is more than twice the next newer one, so rows ≤ log2(total) + 1.
        for (let i = 0; i + 1 < rows.length; i += 1) {
          expect(rows[i]).toBeGreaterThan(2 * rows[i + 1]!);
        }
        expect(rows.length).toBeLessThanOrEqual(Math.floor(Math.log2(Math.max(1, total))) + 1);
        // A row holding a byte grows by half at each rewrite of that byte: log1.5(total) times.
        const bound = total * (Math.log(Math.max(2, total)) / Math.log(1.5) + 1);
        expect(rewritten).toBeLessThanOrEqual(bound);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a 10,000-summary register written one summary at a time rewrites far less than full merges', () => {
    const sizes = [3_300_000, ...Array.from({ length: 1_000 }, () => 330)];
    const { rows, rewritten } = settle(sizes);
    const fullMerges = sizes.slice(1).reduce((acc, _, i) => acc + 3_300_000 + 330 * (i + 1), 0);
    expect(rows[0]).toBe(3_300_000);
    expect(rewritten * 100).toBeLessThan(fullMerges);
  });
});
