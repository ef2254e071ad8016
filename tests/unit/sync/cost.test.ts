import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocId } from '../../../src/crdt/doc-id';
import { createMemoryNetwork } from '../../../src/sync/transports/memory';
import {
  FAC_A,
  createReplica,
  network,
  patient,
  register,
  sortedVisits,
  writeVisit,
  type Replica,
} from './harness';

/** Gives both replicas the same `count` documents without syncing them (identical states). */
function seedShared(a: Replica, b: Replica, count: number): DocId[] {
  const ids: DocId[] = [network, register(FAC_A), register('01020002'), register('01020003')];
  for (let i = 0; ids.length < count; i++) ids.push(patient(FAC_A, i));
  for (const id of ids) {
    writeVisit(a.host, id, `seed ${id}`);
    Y.applyUpdate(b.host.doc(id), Y.encodeStateAsUpdate(a.host.doc(id)));
  }
  return ids;
}

const bytesSent = (...replicas: Replica[]): number =>
  replicas.reduce((sum, r) => sum + r.engine.traffic().bytesSent, 0);

/** A realistic visit entry: a dozen fields and a clinical note. */
function recordVisit(replica: Replica, docId: DocId, serial: number): void {
  replica.host.change(docId, (doc) => {
    const visit = new Y.Map<unknown>();
    const fields = {
      id: `visit-${replica.id}-${serial}`,
      date: '2026-03-14',
      facilityCode: FAC_A,
      visitType: 'clinic',
      weightKg: 54 + (serial % 9),
      tbScreen: 'negative',
      arvStatus: 'continue',
      regimen: '1r-A',
      daysSupplied: 90,
      adherence: 'good',
      nextAppointment: '2026-06-12',
      recordedBy: `user-${serial % 5}`,
      note: `Patient reports feeling well; visit ${serial}. `.repeat(4),
    };
    for (const [key, value] of Object.entries(fields)) visit.set(key, value);
    doc.getArray('visits').push([visit]);
  });
}

describe('cost of reconnecting', () => {
  it('C1 idle reconnect of 5,000 shared documents costs at most 2 KiB; k changes cost O(k)', async () => {
    const net = createMemoryNetwork({ seed: 21 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_A);
    const ids = seedShared(a, b, 5_000);
    net.link('dev-a', 'dev-b');
    await net.flush();
    expect(bytesSent(a, b)).toBeLessThanOrEqual(2_048);

    net.setOnline('dev-a', false);
    const before = bytesSent(a, b);
    const computedBefore = a.engine.digestStats().computed + b.engine.digestStats().computed;
    net.setOnline('dev-a', true);
    await net.flush();
    const idle = bytesSent(a, b) - before;
    expect(idle).toBeLessThanOrEqual(2_048);
    // R3: no state vector is fetched again for unchanged documents.
    expect(a.engine.digestStats().computed + b.engine.digestStats().computed).toBe(computedBefore);
    expect(a.engine.status().peers[0]?.lastSyncedAt).not.toBeNull();

    const costOf = async (k: number): Promise<number> => {
      net.setOnline('dev-a', false);
      for (let i = 0; i < k; i++)
        writeVisit(a.host, ids[(i * 397) % ids.length] as DocId, `k${k}-${i}`);
      const start = bytesSent(a, b);
      net.setOnline('dev-a', true);
      await net.flush();
      return bytesSent(a, b) - start;
    };
    const one = await costOf(1);
    const ten = await costOf(10);
    const hundred = await costOf(100);
    // C1: cost is at most 1 KiB + 900 bytes per changed doc (about log16 of n ranges each),
    // so it follows k and not the 5,000 shared documents.
    for (const [k, cost] of [
      [1, one],
      [10, ten],
      [100, hundred],
    ] as const) {
      expect(cost, `k=${k}`).toBeLessThanOrEqual(1_024 + 900 * k);
    }
    expect(one).toBeLessThan(2_048);
    expect(hundred).toBeGreaterThan(5 * ten);
    expect(sortedVisits(b.host, ids[0] as DocId)).toEqual(sortedVisits(a.host, ids[0] as DocId));
  });

  it('C2 catch-up of N updates sends at most 1.1 x their size plus the stated overhead', async () => {
    const net = createMemoryNetwork({ seed: 22 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_A);
    const ids = seedShared(a, b, 1_000);
    net.link('dev-a', 'dev-b');
    await net.flush();
    net.setOnline('dev-b', false);

    let updateBytes = 0;
    const stopCounting = a.host.onDocUpdate((_id, changes) => {
      for (const change of changes) updateBytes += change.length;
    });
    const changed = ids.slice(100, 105);
    for (let n = 0; n < 300; n++) recordVisit(a, changed[n % changed.length] as DocId, n);
    stopCounting();

    const before = bytesSent(a, b);
    net.setOnline('dev-b', true);
    await net.flush();
    const wire = bytesSent(a, b) - before;
    // docs/protocol.md C2: 1 KiB per session + 768 bytes per changed document.
    expect(wire).toBeLessThanOrEqual(1.1 * updateBytes + 1_024 + 768 * changed.length);
    expect(wire).toBeLessThanOrEqual(1.1 * updateBytes + 1_024 + 768 * 5);
    for (const id of changed) expect(sortedVisits(b.host, id)).toEqual(sortedVisits(a.host, id));
  });
});
