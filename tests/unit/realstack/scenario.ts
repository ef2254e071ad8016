/**
 * One real-stack scenario: the worlds P1 runs (see convergence.test.ts) and how one is run.
 */
import fc from 'fast-check';
import { problemsAfterHealing } from './invariants';
import { opArb, runOp, type Op, type Run } from './operations';
import { createWorld, receiverErrors, type DeviceSpec } from './world';

const MBEZI = { code: '01020003', name: 'Mbezi CTC' };
const TEMEKE = { code: '01020004', name: 'Temeke CTC' };

export interface Scenario {
  seed: number;
  devices: number;
  tabs: number[];
  compactAfter: number;
  /** Records a repository keeps open: small, so closed-document paths run too. */
  cacheLimit: number;
  ops: Op[];
}

export const scenarioArb = (maxOps: number): fc.Arbitrary<Scenario> =>
  fc.integer({ min: 3, max: 4 }).chain((devices) =>
    fc.record({
      seed: fc.nat(),
      devices: fc.constant(devices),
      tabs: fc.array(fc.integer({ min: 2, max: 3 }), { minLength: devices, maxLength: devices }),
      compactAfter: fc.integer({ min: 2, max: 4 }),
      cacheLimit: fc.integer({ min: 1, max: 6 }),
      ops: fc.array(opArb(devices), { minLength: 10, maxLength: maxOps }),
    }),
  );

/** Devices alternate between two facilities; each takes the next slot of its facility. */
function specs(count: number): DeviceSpec[] {
  return Array.from({ length: count }, (_v, i) => ({
    facility: i % 2 === 0 ? MBEZI : TEMEKE,
    slot: String(Math.floor(i / 2) + 1),
  }));
}

/** Runs a scenario to the end, heals, and returns every problem found (none when it holds). */
export async function runScenario(scenario: Scenario): Promise<string[]> {
  const world = await createWorld({
    seed: scenario.seed,
    devices: specs(scenario.devices),
    compactAfter: scenario.compactAfter,
    cacheLimit: scenario.cacheLimit,
    faults: { loss: 0.01, duplicate: 0.02, reorder: 0.02 },
  });
  const run: Run = { world, patients: [], saved: [], requests: [], unsaved: [] };
  try {
    for (const device of world.devices) await world.openTab(device);
    for (const [i, device] of world.devices.entries())
      for (let t = 1; t < (scenario.tabs[i] ?? 2); t++) await world.openTab(device);
    await world.settle();
    for (const op of scenario.ops) {
      await runOp(run, op);
      // Each operation is a user's action: time moves between them.
      world.advance(20_000);
    }
    await world.healAll();
    await Promise.allSettled(run.requests);
    await world.settle();
    const problems = [
      ...receiverErrors(world).map((error) => `a receiver threw: ${String(error)}`),
      ...(await problemsAfterHealing(world, run.saved)),
      // A healthy disk never fails a save; a full serial block never happens in a few writes.
      ...run.unsaved
        .filter((unsaved) => /"type":"(storage|serials-exhausted)"/.test(unsaved))
        .map((unsaved) => `a write was not saved: ${unsaved}`),
    ];
    // Refusals alone are no failure (a register may arrive before the network doc lists its
    // facility, and is taken later); when something is wrong they help explain it.
    if (problems.length > 0)
      problems.push(
        ...world
          .refusals()
          .slice(0, 12)
          .map((refusal) => `(seen: ${refusal})`),
      );
    return problems;
  } finally {
    await world.dispose();
  }
}
