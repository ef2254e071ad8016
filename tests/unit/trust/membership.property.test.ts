/**
 * MB9, MB15–MB17 as properties: replicas that author concurrent admin actions while apart and
 * then exchange every op, each in its own random order, end with the same members and heads;
 * a forged op never changes anything. Fixed seed; it is printed on failure.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MembershipHistory } from '../../../src/crdt/trust/membership-history';
import type { MembershipAction } from '../../../src/crdt/trust/membership-op';
import { utf8 } from '../../../src/crdt/trust/encoding';
import {
  FAC_B,
  clinician,
  keyRef,
  makeSigners,
  newNetwork,
  options,
  type TestSigner,
} from './membership-fixtures';

const SEED = process.env.SEED ? Number(process.env.SEED) : 0x3e3b;
const RUNS = process.env.SOAK === '1' ? 300 : 25;

let signers: TestSigner[] = [];
beforeAll(async () => {
  signers = await makeSigners(6);
});

type Step =
  | {
      kind: 'act';
      replica: number;
      verb: 'enrol' | 'revoke' | 'grant' | 'withdraw';
      target: number;
    }
  | { kind: 'sync'; from: number; to: number };

const REPLICAS = 3;
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('act' as const),
    replica: fc.integer({ min: 0, max: REPLICAS - 1 }),
    verb: fc.constantFrom(
      'enrol' as const,
      'revoke' as const,
      'grant' as const,
      'withdraw' as const,
    ),
    target: fc.integer({ min: 0, max: 5 }),
  }),
  fc.record({
    kind: fc.constant('sync' as const),
    from: fc.integer({ min: 0, max: REPLICAS - 1 }),
    to: fc.integer({ min: 0, max: REPLICAS - 1 }),
  }),
);

function actionOf(
  verb: Step & { kind: 'act' },
  target: TestSigner,
  slot: number,
): MembershipAction {
  switch (verb.verb) {
    case 'enrol':
      return { type: 'enrol', device: keyRef(target), grant: clinician(FAC_B, slot) };
    case 'revoke':
      return { type: 'revoke', deviceId: target.deviceId };
    case 'grant':
      return { type: 'grant-admin', deviceId: target.deviceId, scope: { kind: 'network' } };
    case 'withdraw':
      return { type: 'withdraw-admin', deviceId: target.deviceId };
  }
}

const snapshot = (h: MembershipHistory) =>
  JSON.stringify({
    members: [...h.members().entries()].sort(),
    heads: h.heads(),
    order: h.all().map((op) => op.id),
  });

async function exchange(from: MembershipHistory, to: MembershipHistory, order: number[]) {
  const ops = [...from.all()];
  // A seeded permutation: parents may come after their children (they wait, MB8).
  const shuffled = ops
    .map((op, i) => ({ op, key: order[i % order.length]! * 1000 + i }))
    .sort((a, b) => a.key - b.key);
  for (const { op } of shuffled) await to.add(op.bytes);
}

describe('membership history converges (property)', () => {
  it('MB9, MB15–MB17: concurrent admin actions on apart replicas converge after exchange', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 4, maxLength: 18 }),
        fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 30 }),
        async (steps, order) => {
          const [root, second, third] = signers as [TestSigner, TestSigner, TestSigner];
          const origin = await newNetwork(root);
          // Two more admins, so there is concurrency between admins from the start.
          for (const s of [second, third]) {
            await origin.author(
              root,
              { type: 'enrol', device: keyRef(s), grant: clinician(FAC_B) },
              2,
            );
            await origin.author(
              root,
              { type: 'grant-admin', deviceId: s.deviceId, scope: { kind: 'network' } },
              3,
            );
          }
          const replicas: MembershipHistory[] = [];
          for (let i = 0; i < REPLICAS; i++) {
            const r = await MembershipHistory.fromGenesis(origin.genesis.bytes, options);
            if (!r.ok) throw new Error(r.error.detail);
            for (const op of origin.all()) await r.value.add(op.bytes);
            replicas.push(r.value);
          }
          const actors = [root, second, third];
          let slot = 1;
          for (const s of steps) {
            if (s.kind === 'sync') {
              if (s.from !== s.to) await exchange(replicas[s.from]!, replicas[s.to]!, order);
              continue;
            }
            const target = signers[s.target]!;
            const authored = await replicas[s.replica]!.author(
              actors[s.replica]!,
              actionOf(s, target, (slot++ % 99) + 1),
              10 + slot,
            );
            if (!authored.ok) throw new Error(authored.error.detail);
          }
          for (const from of replicas)
            for (const to of replicas) if (from !== to) await exchange(from, to, order);
          const first = snapshot(replicas[0]!);
          for (const r of replicas) {
            expect(r.pendingCount).toBe(0);
            expect(snapshot(r)).toBe(first);
          }
          // A forged op (tampered after signing) changes nothing on any replica.
          const last = replicas[0]!.all().at(-1)!;
          const forged = utf8(new TextDecoder().decode(last.bytes).replace('"at":', '"at":1'));
          for (const r of replicas) {
            const before = snapshot(r);
            expect((await r.add(forged)).ok).toBe(false);
            expect(snapshot(r)).toBe(before);
          }
        },
      ),
      {
        seed: SEED,
        numRuns: RUNS,
        reporter: (out) => {
          if (out.failed)
            throw new Error(
              `seed ${SEED}: ${out.counterexample ? JSON.stringify(out.counterexample) : ''} ${String(out.errorInstance)}`,
            );
        },
      },
    );
  }, 60_000);
});
