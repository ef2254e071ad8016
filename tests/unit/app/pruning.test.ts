/**
 * Z7–Z12: extras are pruned by last use and a budget; the facility's own patients, registers and
 * the network doc stay; a record used lately or with a write in flight stays; a pruned record is
 * no longer held and can be received again. Real repository over a Dexie store on fake-indexeddb.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  createExtrasPruner,
  lastUseKey,
  type ExtrasPrunerOptions,
} from '../../../src/app/extras-pruning';
import { createReplicaHost } from '../../../src/app/replica-host';
import { networkDocId, patientDocId, registerDocId, type DocId } from '../../../src/crdt/doc-id';
import { DocumentRepository } from '../../../src/crdt/repository';
import type { CtcId, FacilityCode } from '../../../src/domain/types';
import { createDexieStore } from '../../../src/storage/dexie-store';
import { createMemoryNetwork, createSyncEngine, type PeerId, type Timers } from '../../../src/sync';
import { createSeededRandom } from '../../../src/lib/deps';
import { extrasOf } from '../../../src/sync/interest';
import { applyOne, testClock } from './harness';

const own = '01020003';
const visited = '09090009';
const ownPatient = (n: number) => patientDocId(`${own}01${String(n).padStart(4, '0')}` as CtcId);
const extra = (n: number) => patientDocId(`${visited}01${String(n).padStart(4, '0')}` as CtcId);
const minutes = (n: number) => n * 60_000;

/** Timers the test fires by hand. */
function manualTimers() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 1;
  const timers: Timers = {
    setTimeout(callback, ms) {
      pending.set(next, { callback, ms });
      return next++;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  return {
    timers,
    delays: () => [...pending.values()].map((timer) => timer.ms),
    fire(ms: number) {
      for (const [handle, timer] of [...pending]) {
        if (timer.ms !== ms) continue;
        pending.delete(handle);
        timer.callback();
      }
    },
  };
}

async function device(factory = new IDBFactory(), clock = testClock('2026-03-10T09:00:00.000Z')) {
  const dexie = createDexieStore({ name: 'pruning', indexedDB: factory, IDBKeyRange, clock });
  await dexie.open();
  let setMetaCalls = 0;
  /** While set, commits wait for it: a write stays in flight as long as the test wants. */
  const gate: { closed?: Promise<void> } = {};
  const store = Object.assign(Object.create(dexie) as typeof dexie, {
    setMeta: (key: string, value: unknown) => {
      setMetaCalls += 1;
      return dexie.setMeta(key, value);
    },
    commit: async (write: Parameters<typeof dexie.commit>[0]) => {
      await gate.closed;
      return dexie.commit(write);
    },
  });
  const repo = new DocumentRepository({ store, clock });
  const host = createReplicaHost(repo, store, { clock });
  await host.init();
  const manual = manualTimers();
  const pruner = (policy: ExtrasPrunerOptions['policy'] = {}) =>
    createExtrasPruner({
      repo,
      store,
      host,
      facility: () => own,
      isRelay: () => false,
      policy: { maxExtras: 3, protectRecentMs: minutes(30), ...policy },
      clock,
      timers: manual.timers,
      flushAfterMs: minutes(5),
      firstRunMs: minutes(1),
      everyMs: minutes(60),
    });
  return {
    factory,
    clock,
    dexie,
    store,
    repo,
    host,
    manual,
    pruner,
    gate,
    setMetaCalls: () => setMetaCalls,
  };
}

const note = (text: string) => (doc: Y.Doc) => doc.getMap('meta').set('note', text);

/** Stores documents one minute apart: the network doc, a register, own patients and extras. */
async function fill(d: Awaited<ReturnType<typeof device>>, extras: number) {
  const at = Date.parse('2026-03-10T09:00:00.000Z');
  let minute = 0;
  const writeAt = async (docId: DocId) => {
    d.clock.set(new Date(at + minutes(minute++)).toISOString());
    await d.repo.write(docId, note(docId));
  };
  // Extras come from peers (a request, a visiting patient's record), not from writes here.
  const receiveAt = async (docId: DocId) => {
    d.clock.set(new Date(at + minutes(minute++)).toISOString());
    const doc = new Y.Doc();
    note(docId)(doc);
    await applyOne(d.host, docId, Y.encodeStateAsUpdate(doc), 'peer' as PeerId);
  };
  await writeAt(networkDocId);
  await writeAt(registerDocId(visited as FacilityCode));
  for (let n = 1; n <= 3; n++) await writeAt(ownPatient(n));
  for (let n = 1; n <= extras; n++) await receiveAt(extra(n));
}

const extrasHeld = (d: Awaited<ReturnType<typeof device>>) =>
  extrasOf(d.host.holdings(), own, false).sort();

describe('pruning of extras (Z7–Z12)', () => {
  it('Z7: beyond the budget the least recently used extras go; own patients, registers and the network doc stay', async () => {
    const d = await device();
    await fill(d, 6);
    const pruner = d.pruner();
    d.clock.set('2026-03-10T12:00:00.000Z');
    pruner.touch(extra(1)); // used lately: the oldest by change, yet kept
    d.clock.set('2026-03-10T14:00:00.000Z');

    const report = await pruner.prune();

    expect(report.removed.sort()).toEqual([extra(2), extra(3), extra(4)].sort());
    expect(extrasHeld(d)).toEqual([extra(1), extra(5), extra(6)].sort());
    for (const docId of [networkDocId, registerDocId(visited as FacilityCode), ownPatient(1)]) {
      expect(d.host.holdings().has(docId)).toBe(true);
      expect(await d.repo.isStored(docId)).toBe(true);
    }
    expect(await d.repo.isStored(extra(2))).toBe(false);
    await d.dexie.close();
  });

  it('Z8: a record used in the last minutes is never pruned, even over the budget', async () => {
    const d = await device();
    await fill(d, 5);
    const pruner = d.pruner();
    d.clock.set('2026-03-10T12:00:00.000Z');
    for (let n = 1; n <= 5; n++) pruner.touch(extra(n));
    d.clock.set('2026-03-10T12:10:00.000Z');

    const report = await pruner.prune();

    expect(report.removed).toEqual([]);
    expect(report.kept.length).toBeGreaterThanOrEqual(2);
    expect(extrasHeld(d)).toHaveLength(5);
    await d.dexie.close();
  });

  it('Z9: a record with a write in flight is not pruned, and the write is stored', async () => {
    const d = await device();
    await fill(d, 4);
    const pruner = d.pruner({ maxExtras: 3, protectRecentMs: 0 });
    d.clock.set('2026-03-10T14:00:00.000Z');

    // extra(1) is the least recently used; a visit is being saved on it as the pruner runs.
    let open = () => {};
    d.gate.closed = new Promise((resolve) => (open = resolve));
    const saving = d.repo.write(extra(1), note('visit saved'));
    const report = await pruner.prune();
    open();
    await saving;

    expect(report.removed).not.toContain(extra(1));
    expect(d.host.holdings().has(extra(1))).toBe(true);
    expect((await d.repo.get(extra(1))).getMap('meta').get('note')).toBe('visit saved');
    await d.dexie.close();
  });

  it('Z9: a record written here lately is kept over the budget (its write may not have reached a peer)', async () => {
    const d = await device();
    await fill(d, 4);
    const pruner = d.pruner({ protectRecentMs: 0 });
    // A visit recorded here for extra(1) while offline; weeks later it is still the oldest use.
    d.clock.set('2026-03-10T10:00:00.000Z');
    await d.repo.write(extra(1), note('visit recorded offline'));
    d.clock.set('2026-04-20T10:00:00.000Z');
    for (let n = 2; n <= 4; n++) pruner.touch(extra(n));
    d.clock.set('2026-04-20T12:00:00.000Z');

    const report = await pruner.prune();

    expect(report.removed).not.toContain(extra(1));
    expect(report.removed).toHaveLength(1);
    expect((await d.repo.get(extra(1))).getMap('meta').get('note')).toBe('visit recorded offline');
    await d.dexie.close();
  });

  it('Z10: uses are kept in one meta record, written once per batch, and survive a restart', async () => {
    const d = await device();
    await fill(d, 4);
    const pruner = d.pruner();
    pruner.start();
    const writesBefore = d.setMetaCalls();
    d.clock.set('2026-03-10T13:00:00.000Z');
    for (let n = 1; n <= 3; n++) pruner.touch(extra(n));
    pruner.touch(extra(1));
    expect(d.setMetaCalls()).toBe(writesBefore);

    d.manual.fire(minutes(5));
    await pruner.flush();
    expect(d.setMetaCalls()).toBe(writesBefore + 1);
    const stored = await d.store.getMeta<{ used: Record<string, number> }>(lastUseKey);
    expect(Object.keys(stored?.used ?? {}).sort()).toEqual([extra(1), extra(2), extra(3)].sort());
    pruner.stop();
    await d.dexie.close();

    // After a restart: extras 1–3 were used at 13:00 (stored), extra(4) only changed at 09:06,
    // so it is the least recently used, though extra(1) changed first.
    const again = await device(d.factory, d.clock);
    again.clock.set('2026-03-10T14:00:00.000Z');
    const report = await again.pruner({ maxExtras: 3, protectRecentMs: minutes(30) }).prune();
    expect(report.removed).toEqual([extra(4)]);
    await again.dexie.close();
  });

  it('Z11: a pruned record is no longer held and can be received again', async () => {
    const d = await device();
    await fill(d, 4);
    const full = Y.encodeStateAsUpdate(await d.repo.get(extra(1)));
    d.clock.set('2026-03-10T14:00:00.000Z');
    const report = await d.pruner({ protectRecentMs: 0 }).prune();
    expect(report.removed).toEqual([extra(1)]);
    expect(d.host.holdings().has(extra(1))).toBe(false);

    const outcome = await applyOne(d.host, extra(1), full, 'peer' as PeerId);

    expect(outcome.type).toBe('applied');
    expect(d.host.holdings().has(extra(1))).toBe(true);
    expect((await d.repo.get(extra(1))).getMap('meta').get('note')).toBe(extra(1));
    await d.dexie.close();
  });

  it('Z13: a pruned record is not fetched back by the next reconcile (the hello announces the smaller set)', async () => {
    const factory = new IDBFactory();
    const d = await device(factory);
    await fill(d, 4);
    const peerFactory = new IDBFactory();
    const peer = await device(peerFactory, d.clock);
    for (const docId of d.host.holdings()) {
      const update = Y.encodeStateAsUpdate(await d.repo.get(docId));
      await peer.repo.applyRemote(docId, update, 'seed');
    }
    const net = createMemoryNetwork({ seed: 5 });
    const engines = [
      { id: 'device', host: d.host, facility: own },
      { id: 'peer', host: peer.host, facility: visited },
    ].map(({ id, host, facility }, i) =>
      createSyncEngine({
        host,
        deviceId: id,
        facility,
        transports: [net.node(id)],
        random: createSeededRandom(i + 1),
        clock: d.clock,
      }),
    );
    net.link('device', 'peer');
    await net.flush();
    net.setOnline('device', false);
    d.clock.set('2026-03-10T14:00:00.000Z');
    const report = await d.pruner({ protectRecentMs: 0 }).prune();
    expect(report.removed).toEqual([extra(1)]);

    net.setOnline('device', true);
    for (let round = 0; round < 5; round++) await net.flush();

    expect(d.host.holdings().has(extra(1))).toBe(false);
    for (const engine of engines) engine.stop();
    await d.dexie.close();
    await peer.dexie.close();
  });

  it('Z12: the pruner runs after start and again every interval, on injected timers', async () => {
    const d = await device();
    await fill(d, 5);
    const pruner = d.pruner({ protectRecentMs: 0 });
    d.clock.set('2026-03-10T14:00:00.000Z');
    pruner.start();
    expect(d.manual.delays()).toContain(minutes(1));

    d.manual.fire(minutes(1));
    await pruner.prune();
    expect(extrasHeld(d)).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(d.manual.delays()).toContain(minutes(60));
    pruner.stop();
    expect(d.manual.delays()).toEqual([]);
    await d.dexie.close();
  });

  it('Z7: a relay and a device not yet set up prune nothing', async () => {
    const d = await device();
    await fill(d, 5);
    d.clock.set('2026-03-10T14:00:00.000Z');
    const relay = createExtrasPruner({
      repo: d.repo,
      store: d.store,
      host: d.host,
      facility: () => own,
      isRelay: () => true,
      policy: { maxExtras: 0, protectRecentMs: 0 },
      clock: d.clock,
      timers: d.manual.timers,
    });
    expect((await relay.prune()).removed).toEqual([]);
    expect(extrasHeld(d)).toHaveLength(5);
    await d.dexie.close();
  });
});
