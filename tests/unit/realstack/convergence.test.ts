/**
 * P1 on the real stack: 3–4 devices, each with 2–3 tabs, every tab its own repository, clinic
 * service and network service over the device's Dexie database (fake-indexeddb); low compaction
 * thresholds; tab closes, restarts, "Work offline", partitions and frame faults. After healing,
 * every holder of a document has identical content and every write a tab was told was saved is
 * present (P1–P4 in docs/protocol.md).
 *
 * CI runs a few fixed seeds; `SOAK=1` runs many more. A failure prints the seed, the fast-check
 * path and the replay command:
 *   SEED=<seed> FC_PATH=<path> npx vitest run tests/unit/realstack/convergence.test.ts
 * (add SHRINK=1 to let fast-check shrink the case; it is slow on the real stack). `RUNS=<n>` sets
 * the worlds per seed (`SOAK=1 RUNS=20` for a shorter soak).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { runScenario, scenarioArb, type Scenario } from './scenario';

const SOAK = process.env.SOAK === '1';
const SHRINK = process.env.SHRINK === '1';
const FIXED_SEED = process.env.SEED ? Number(process.env.SEED) : undefined;
const FC_PATH = process.env.FC_PATH;
const CI_SEEDS = [20_261_201, 20_261_202, 20_261_203];
/** Worlds per seed: `RUNS=<n>` overrides (e.g. a shorter soak). */
const RUNS = process.env.RUNS ? Number(process.env.RUNS) : undefined;

async function check(seed: number, numRuns: number): Promise<void> {
  const out = await fc.check(
    fc.asyncProperty(scenarioArb(SOAK ? 80 : 30), async (scenario: Scenario) => {
      const problems = await runScenario(scenario);
      if (problems.length > 0) throw new Error(problems.join('\n'));
    }),
    {
      seed,
      numRuns,
      endOnFailure: !SHRINK,
      ...(FC_PATH !== undefined ? { path: FC_PATH } : {}),
    },
  );
  if (!out.failed) return;
  const path = out.counterexamplePath ?? '';
  throw new Error(
    [
      `P1 (real stack) failed: seed ${out.seed}, path "${path}"`,
      `replay: SEED=${out.seed} FC_PATH=${path} npx vitest run tests/unit/realstack/convergence.test.ts`,
      `scenario: ${JSON.stringify(out.counterexample?.[0])}`,
      String(out.errorInstance instanceof Error ? out.errorInstance.message : out.errorInstance),
    ].join('\n'),
  );
}

describe('P1 convergence on the real stack (fixed seeds)', () => {
  const seeds = FIXED_SEED !== undefined ? [FIXED_SEED] : SOAK ? [20_261_200] : CI_SEEDS;
  for (const seed of seeds) {
    it(
      `P1 P2 P3 P4 tabs, devices, compaction, offline and partitions converge (seed ${seed})`,
      () => check(seed, RUNS ?? (FIXED_SEED !== undefined ? 1 : SOAK ? 200 : 2)),
      SOAK ? 3_600_000 : 60_000,
    );
  }
});
