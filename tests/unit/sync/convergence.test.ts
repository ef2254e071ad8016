/**
 * P1: convergence, property-based. Random replicas (some relays), random partitions, heals,
 * outages and frame faults, random clinical-like operations; after healing every holder of a
 * document has identical content and no acknowledged write is lost.
 * CI runs fixed seeds; `SOAK=1` runs many more. A failure prints `{ seed, path }`; replay exactly
 * that case with `SEED=<seed> FC_PATH=<path> npx vitest run tests/unit/sync/convergence.test.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docKind, type DocId } from '../../../src/crdt/doc-id';
import { createMemoryNetwork } from '../../../src/sync/transports/memory';
import { createReplica, patient, register, snapshotOf, type Replica } from './harness';

const SOAK = process.env.SOAK === '1';
const FIXED_SEED = process.env.SEED ? Number(process.env.SEED) : undefined;
const FC_PATH = process.env.FC_PATH;
const FACILITIES = ['01020001', '01020002', '01020003'] as const;

type Op =
  | { type: 'register'; replica: number; name: string }
  | { type: 'visit' | 'correct' | 'result' | 'open'; replica: number; pick: number }
  | { type: 'edit'; replica: number; pick: number; field: 'phone' | 'ward'; value: string }
  | { type: 'partition'; groups: number[] }
  | { type: 'heal' | 'reconnect' | 'flush' }
  | { type: 'offline' | 'online'; replica: number }
  | { type: 'deliver'; steps: number };

const opArb = (replicas: number): fc.Arbitrary<Op> => {
  const replica = fc.nat(replicas - 1);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        type: fc.constant('register' as const),
        replica,
        name: fc.constantFrom('Amina', 'Juma', 'Neema', 'Baraka'),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        type: fc.constantFrom('visit' as const, 'correct' as const, 'result' as const),
        replica,
        pick: fc.nat(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('open' as const), replica, pick: fc.nat() }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('edit' as const),
        replica,
        pick: fc.nat(),
        field: fc.constantFrom('phone' as const, 'ward' as const),
        value: fc.string({ maxLength: 6 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('partition' as const),
        groups: fc.array(fc.nat(2), { minLength: replicas, maxLength: replicas }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constantFrom('heal' as const, 'reconnect' as const, 'flush' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constantFrom('offline' as const, 'online' as const),
        replica,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant('deliver' as const),
        steps: fc.integer({ min: 1, max: 40 }),
      }),
    },
  );
};

interface World {
  seed: number;
  roles: { facility: number; relay: boolean }[];
  ops: Op[];
}

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 8, max: 10 }).chain((count) =>
  fc.record({
    seed: fc.nat(),
    roles: fc.array(fc.record({ facility: fc.nat(2), relay: fc.nat(4).map((n) => n === 0) }), {
      minLength: count,
      maxLength: count,
    }),
    ops: fc.array(opArb(count), { minLength: 20, maxLength: SOAK ? 120 : 60 }),
  }),
);

interface Written {
  docId: DocId;
  root: 'visits' | 'corrections' | 'results';
  marker: string;
}

async function runWorld(world: World): Promise<void> {
  const net = createMemoryNetwork({
    seed: world.seed,
    faults: { loss: 0.01, duplicate: 0.02, reorder: 0.02 },
  });
  const replicas: Replica[] = world.roles.map((role, i) =>
    createReplica(net, `r${i}`, role.relay ? '' : (FACILITIES[role.facility] as string), {
      relay: role.relay,
    }),
  );
  const ids = replicas.map((r) => r.id);
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) net.link(ids[i] as string, ids[j] as string);
  const patients: DocId[] = [];
  const written: Written[] = [];
  const serials = new Map<string, number>();
  let counter = 0;

  const append = (
    r: Replica,
    docId: DocId,
    root: Written['root'],
    extra: Record<string, unknown>,
  ) => {
    const marker = `${r.id}-${counter++}`;
    r.host.change(docId, (doc) => {
      const entry = new Y.Map<unknown>();
      entry.set('id', marker);
      for (const [k, v] of Object.entries(extra)) entry.set(k, v);
      doc.getArray(root).push([entry]);
    });
    written.push({ docId, root, marker });
  };

  for (const op of world.ops) {
    const r = 'replica' in op ? (replicas[op.replica] as Replica) : undefined;
    const target =
      'pick' in op && patients.length > 0
        ? (patients[op.pick % patients.length] as DocId)
        : undefined;
    switch (op.type) {
      case 'register': {
        if (!r || r.facility === '') break;
        const serial = (serials.get(r.id) ?? 0) + 1;
        serials.set(r.id, serial);
        const docId = patient(r.facility, Number(r.id.slice(1)) * 1000 + serial);
        patients.push(docId);
        r.host.change(docId, (doc) => doc.getMap('demographics').set('givenName', op.name));
        r.host.change(register(r.facility), (doc) =>
          doc.getMap('demographics').set(docId, op.name),
        );
        append(r, docId, 'visits', { kind: 'registration' });
        break;
      }
      case 'visit':
        if (r && target) append(r, target, 'visits', { weightKg: 50 });
        break;
      case 'result':
        if (r && target) append(r, target, 'results', { test: 'viral_load', value: 40 });
        break;
      case 'correct':
        if (r && target) {
          const earlier = written.find((w) => w.docId === target && w.root === 'visits');
          append(r, target, 'corrections', { supersedes: earlier?.marker ?? null });
        }
        break;
      case 'edit':
        if (r && target)
          r.host.change(target, (doc) => doc.getMap('demographics').set(op.field, op.value));
        break;
      case 'open':
        if (r && target) void r.engine.request(target, { timeoutMs: 1_000 });
        break;
      case 'partition':
        net.partition([0, 1, 2].map((g) => ids.filter((_id, i) => op.groups[i] === g)));
        break;
      case 'heal':
        net.heal();
        break;
      case 'reconnect':
        net.reconnect();
        break;
      case 'flush':
        await net.flush();
        break;
      case 'offline':
      case 'online':
        if (r) net.setOnline(r.id, op.type === 'online');
        break;
      case 'deliver':
        for (let i = 0; i < op.steps && net.step(); i++);
        await Promise.resolve();
        break;
    }
  }

  // Heal everything and let it settle.
  net.setFaults({ loss: 0, duplicate: 0, reorder: 0 });
  for (const id of ids) net.setOnline(id, true);
  net.heal();
  await net.flush();
  net.reconnect();
  await net.flush();

  expect(net.receiverErrors).toEqual([]);
  const allDocs = new Set<DocId>();
  for (const r of replicas) for (const id of r.host.holdings()) allDocs.add(id);
  for (const docId of allDocs) {
    const shouldHold = replicas.filter(
      (r) =>
        r.host.has(docId) ||
        r.host.isRelay() ||
        docKind(docId) !== 'patient' ||
        docId.startsWith(`patient:${r.facility}`),
    );
    const reference = shouldHold[0] as Replica;
    for (const r of shouldHold) {
      expect(r.host.has(docId), `${r.id} holds ${docId}`).toBe(true);
      expect([...Y.encodeStateVector(r.host.doc(docId))], `${r.id} state of ${docId}`).toEqual([
        ...Y.encodeStateVector(reference.host.doc(docId)),
      ]);
      expect(snapshotOf(r.host, docId), `${r.id} content of ${docId}`).toEqual(
        snapshotOf(reference.host, docId),
      );
    }
    // No acknowledged write lost.
    const markers = written.filter((w) => w.docId === docId);
    for (const w of markers) {
      const present = reference.host
        .doc(docId)
        .getArray<Y.Map<unknown>>(w.root)
        .toArray()
        .some((entry) => entry.get('id') === w.marker);
      expect(present, `${w.marker} in ${docId}`).toBe(true);
    }
  }
  // Own-facility patients reached every device of that facility.
  for (const r of replicas) {
    for (const docId of patients)
      if (r.facility !== '' && docId.startsWith(`patient:${r.facility}`))
        expect(r.host.has(docId)).toBe(true);
  }
  for (const r of replicas) r.engine.stop();
}

describe('convergence (property-based, fixed seeds)', () => {
  const seed = FIXED_SEED ?? 20_260_301;
  it(
    `P1 replicas converge after partitions heal (seed ${seed})`,
    async () => {
      await fc.assert(
        fc.asyncProperty(worldArb, (world) => runWorld(world)),
        {
          seed,
          numRuns: SOAK ? 500 : 12,
          endOnFailure: true,
          ...(FC_PATH !== undefined ? { path: FC_PATH } : {}),
        },
      );
    },
    SOAK ? 1_800_000 : 60_000,
  );
});
