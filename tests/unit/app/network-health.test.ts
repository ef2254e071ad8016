/**
 * Clocks and storage trouble on the real stack (rules §20, W1–W13): real repositories and memory
 * stores per device, the replication engine over the in-memory network.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryNetwork, type Timers } from '../../../src/sync';
import { clockWarningOf } from '../../../src/app/sync-health';
import { StorageError } from '../../../src/crdt/ports';
import { patientDocId } from '../../../src/crdt/doc-id';
import { appendEntry } from '../../../src/crdt/patient-doc';
import { createMemoryStore, type MemoryStore } from '../../../src/storage/memory-store';
import type { RemoteUpdateCheck } from '../../../src/crdt/policy/refusal';
import { err, ok } from '../../../src/lib/result';
import type { PeerSyncStatus } from '../../../src/sync';
import type { CtcId, Entry, EntryId, IsoDate, IsoDateTime } from '../../../src/domain/types';
import { aminaForm, testClock, visitForm } from './harness';
import { createNetworkedDevice, settle } from './device';

/** Timers the test fires by hand: nothing waits on real time. */
function manualTimers() {
  let next = 1;
  const pending = new Map<number, () => void>();
  const timers: Timers = {
    setTimeout(callback) {
      const id = next++;
      pending.set(id, callback);
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  return {
    timers,
    pending: () => pending.size,
    fireAll() {
      const due = [...pending.values()];
      pending.clear();
      for (const callback of due) callback();
    },
  };
}

/** A device whose store's writes fail as a full disk does (`disk.full`), until space is freed. */
async function device(
  net: ReturnType<typeof createMemoryNetwork>,
  name: string,
  facility: { code: string; name: string },
  options: {
    clock?: ReturnType<typeof testClock>;
    timers?: Timers;
    checkRemote?: RemoteUpdateCheck;
  } = {},
) {
  const disk = { full: false };
  const refuse = () => new StorageError('quota-exceeded', 'the disk is full (test)');
  const fillable = (clock: ReturnType<typeof testClock>): MemoryStore => {
    const base = createMemoryStore({ clock });
    return {
      ...base,
      commit: (write) => (disk.full ? Promise.reject(refuse()) : base.commit(write)),
      setMeta: (key, value) => (disk.full ? Promise.reject(refuse()) : base.setMeta(key, value)),
    };
  };
  const built = await createNetworkedDevice(net, {
    name,
    store: fillable,
    reconnect: () => net.reconnect(),
    setup: {
      facilityCode: facility.code,
      facilityName: facility.name,
      userName: `Clinician ${name}`,
    },
    ...options,
  });
  return { ...built, disk };
}

const mbezi = { code: '01020003', name: 'Mbezi CTC' };
const temeke = { code: '01020004', name: 'Temeke CTC' };

describe('a full disk during sync (W11–W12)', () => {
  it('W11: says the device is full, and W12: resumes by itself once space returns', async () => {
    const net = createMemoryNetwork({ seed: 11, delivery: 'microtask' });
    const clockTimers = manualTimers();
    const a = await device(net, 'a', mbezi);
    const b = await device(net, 'b', temeke, { timers: clockTimers.timers });
    net.link('a', 'b');
    await settle(net, a, b);
    expect(b.network.status().storageFull).toBe(false);

    b.disk.full = true;
    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error(JSON.stringify(registered.error));
    await settle(net, a, b);
    expect(b.network.status().storageFull).toBe(true);
    expect(await b.service.search('amina')).toEqual([]);

    // Still full: the retry finds no space and keeps waiting.
    clockTimers.fireAll();
    await settle(net, a, b);
    expect(b.network.status().storageFull).toBe(true);
    expect(clockTimers.pending()).toBe(1);

    // Space is freed: the next retry clears the state and sync catches up with no one's help.
    b.disk.full = false;
    clockTimers.fireAll();
    await settle(net, a, b);
    expect(b.network.status().storageFull).toBe(false);
    expect((await b.service.search('amina')).map((hit) => hit.ctcId)).toEqual([registered.value]);
    expect(clockTimers.pending()).toBe(0);
  });

  it('W11: a save that fails for lack of space, reported by the app, shows too', async () => {
    const net = createMemoryNetwork({ seed: 12, delivery: 'microtask' });
    const clockTimers = manualTimers();
    const a = await device(net, 'a', mbezi, { timers: clockTimers.timers });
    a.network.noteStorageWrite(new StorageError('quota-exceeded', 'full'));
    expect(a.network.status().storageFull).toBe(true);
    a.network.noteStorageWrite(new StorageError('write-failed', 'other'));
    expect(a.network.status().storageFull).toBe(true);
    a.network.noteStorageWrite();
    expect(a.network.status().storageFull).toBe(false);
  });
});

describe('refused updates in the sync log (W13)', () => {
  it('W13: the Network view lists a refused update with its reason, document and sender', async () => {
    const net = createMemoryNetwork({ seed: 15, delivery: 'microtask' });
    const a = await device(net, 'a', mbezi);
    const b = await device(net, 'b', temeke, {
      checkRemote: (docId) =>
        docId === 'register:01020003'
          ? err({ reason: 'foreign-summary', detail: 'test: every change to this register' })
          : ok(undefined),
    });
    net.link('a', 'b');
    await settle(net, a, b);
    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    expect(registered.ok).toBe(true);
    await settle(net, a, b);
    const { refusals } = b.network.status();
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.length).toBeLessThanOrEqual(10);
    expect(refusals[0]).toMatchObject({
      docId: 'register:01020003',
      reason: 'foreign-summary',
      facilityCode: mbezi.code,
      facilityName: mbezi.name,
    });
    expect(a.network.status().refusals).toEqual([]);
  });
});

describe('clock warning (W10)', () => {
  it('W10: a device whose clock is three hours behind its peer is told so; within 10 minutes is quiet', async () => {
    const net = createMemoryNetwork({ seed: 16, delivery: 'microtask' });
    const a = await device(net, 'a', mbezi, { clock: testClock('2026-03-10T12:00:00.000Z') });
    const b = await device(net, 'b', temeke, { clock: testClock('2026-03-10T09:00:00.000Z') });
    const c = await device(net, 'c', temeke, { clock: testClock('2026-03-10T12:05:00.000Z') });
    net.link('a', 'b');
    net.link('a', 'c');
    await settle(net, a, b, c);
    expect(b.network.status().clockWarning).toEqual({ peersAheadByMs: 3 * 60 * 60_000, peers: 1 });
    expect(c.network.status().clockWarning).toBeUndefined();
    // A sits between a clock 3 hours behind and one 5 minutes ahead: no majority, no warning.
    expect(a.network.status().clockWarning).toBeUndefined();
  });

  const peer = (deviceId: string, clockOffsetMs: number | null, connected = true) =>
    ({
      deviceId,
      facility: '01020004',
      relay: false,
      connected,
      lastReceivedAt: null,
      lastSyncedAt: null,
      pendingToSend: [],
      behind: [],
      lastCloseReason: null,
      clockOffsetMs,
    }) satisfies PeerSyncStatus;
  const minute = 60_000;

  it('W10: warns when most connected peers are more than 10 minutes away, one way', () => {
    expect(clockWarningOf([peer('p1', 3 * 60 * minute)], 'me')).toEqual({
      peersAheadByMs: 3 * 60 * minute,
      peers: 1,
    });
    expect(clockWarningOf([peer('p1', -11 * minute), peer('p2', -12 * minute)], 'me')).toEqual({
      peersAheadByMs: -11.5 * minute,
      peers: 2,
    });
  });

  it('W10: one peer with a wrong clock among good ones does not make this device warn', () => {
    const peers = [peer('p1', 20_000), peer('p2', -5_000), peer('wrong', 365 * 24 * 60 * minute)];
    expect(clockWarningOf(peers, 'me')).toBeUndefined();
    // Two of three say ours is 2 hours behind: their median is the amount.
    const most = [peer('p1', 2 * 60 * minute), peer('p2', 3 * 60 * minute), peer('p3', 0)];
    expect(clockWarningOf(most, 'me')).toEqual({ peersAheadByMs: 2.5 * 60 * minute, peers: 3 });
  });

  it('W10: ignores unknown offsets, closed sessions and other tabs of this device', () => {
    const peers = [
      peer('p1', null),
      peer('p2', 60 * minute, false),
      peer('me', 60 * minute),
      peer('p3', 9 * minute),
    ];
    expect(clockWarningOf(peers, 'me')).toBeUndefined();
    expect(clockWarningOf([peer('p1', null)], 'me')).toBeUndefined();
  });
});

describe('future-dated entries and the register across devices (W3–W5)', () => {
  it('W5: a visit corrected to an earlier date moves the register and directory back everywhere', async () => {
    const net = createMemoryNetwork({ seed: 13, delivery: 'microtask' });
    const a = await device(net, 'a', mbezi);
    const b = await device(net, 'b', temeke);
    net.link('a', 'b');
    await settle(net, a, b);
    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error('register failed');
    const ctcId: CtcId = registered.value;
    await a.service.recordVisit(ctcId, visitForm('2026-02-10', '2026-03-12'));
    const mistyped = await a.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-09'));
    if (!mistyped.ok) throw new Error('visit failed');
    await settle(net, a, b);
    expect((await b.store.getDirectoryRow(ctcId))?.lastVisitDate).toBe('2026-03-10');

    // The clinician meant 2026-03-01: the correction supersedes the mistyped visit.
    const fixed = await a.service.recordVisit(
      ctcId,
      visitForm('2026-03-01', '2026-03-31'),
      mistyped.value,
    );
    expect(fixed.ok).toBe(true);
    await settle(net, a, b);
    for (const d of [a, b]) {
      expect((await d.store.getDirectoryRow(ctcId))?.lastVisitDate).toBe('2026-03-01');
    }
  });

  it('W3: a visit and a status from a phone whose clock says 9999 change no follow-up', async () => {
    const net = createMemoryNetwork({ seed: 14, delivery: 'microtask' });
    const a = await device(net, 'a', mbezi);
    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error('register failed');
    const ctcId = registered.value;
    await a.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-09'));
    const wrongClock = {
      userId: 'u-x',
      userName: 'Wrong clock',
      role: 'clinician',
      deviceId: 'd-x',
      facilityCode: temeke.code,
      at: '9999-12-31T08:00:00.000Z' as IsoDateTime,
    } as Entry['stamp'];
    const future: Entry[] = [
      {
        id: 'v-9999' as EntryId,
        kind: 'visit',
        stamp: wrongClock,
        data: {
          date: '9999-12-31' as IsoDate,
          facilityCode: temeke.code,
          visitType: 'clinic',
          tbScreen: 'negative',
          symptoms: [],
          arvStatus: 'continue',
          otherMedicines: [],
          investigationsOrdered: [],
        },
      } as unknown as Entry,
      {
        id: 's-9999' as EntryId,
        kind: 'status',
        stamp: wrongClock,
        data: { status: 'died', date: '9999-12-31' as IsoDate },
      },
    ];
    // As a peer's update would land (the policy checks shape, not the calendar).
    await a.repo.write(patientDocId(ctcId), (doc) => {
      for (const entry of future) appendEntry(doc, entry);
    });

    a.clock.set('2026-04-20T09:00:00.000Z');
    const view = await a.service.getPatient(ctcId);
    expect(view?.status).toBe('active');
    expect(view?.nextAppointment).toEqual({ date: '2026-04-09', state: 'missed' });
    expect(
      view?.history
        .filter((e) => e.futureDated)
        .map((e) => e.id)
        .sort(),
    ).toEqual(['s-9999', 'v-9999']);
    const list = await a.service.clinicList('2026-04-20' as IsoDate);
    expect(list.missed.map((item) => item.row.ctcId)).toEqual([ctcId]);
    expect((await a.store.getPatientRow(ctcId))?.lastVisitDate).toBe('2026-03-10');
  });
});
