/**
 * Small deterministic reproductions of what the real-stack property (convergence.test.ts) found,
 * each named by the rule it breaks. Every one runs on the real repository, clinic service,
 * network service and Dexie store (fake-indexeddb).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CtcId, EntryId } from '../../../src/domain/types';
import { aminaForm, visitForm } from '../app/harness';
import { problemsAfterHealing, type Saved } from './invariants';
import { createWorld, type DeviceSpec, type Tab, type World } from './world';

const MBEZI = { code: '01020003', name: 'Mbezi CTC' };
const TEMEKE = { code: '01020004', name: 'Temeke CTC' };

let world: World | undefined;
afterEach(async () => {
  await world?.dispose();
  world = undefined;
});

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw new Error(`not saved: ${JSON.stringify(result.error)}`);
  return result.value;
}

async function register(tab: Tab): Promise<CtcId> {
  return unwrap(await tab.service.registerPatient(aminaForm, { acknowledgeDuplicate: true }));
}

async function visit(tab: Tab, ctcId: CtcId, date = '2026-03-10'): Promise<EntryId> {
  return unwrap(await tab.service.recordVisit(ctcId, visitForm(date, '2026-04-09')));
}

const visitIds = async (tab: Tab, ctcId: CtcId): Promise<string[]> =>
  ((await tab.service.getPatient(ctcId))?.visits ?? []).map((v) => v.id).sort();

/** One device (compacting after two updates) with two tabs open, then "Work offline" (sets `world`, which `afterEach` disposes). */
async function twoTabsWorkingOffline(seed: number) {
  world = await createWorld({
    seed,
    devices: [{ facility: MBEZI, slot: '1' }],
    compactAfter: 2,
  });
  const [device] = world.devices;
  if (!device) throw new Error('no device');
  const a = await world.openTab(device);
  const b = await world.openTab(device);
  await world.settle();
  world.setWorkOffline(device, true);
  return { world, device, a, b };
}

describe('real stack: tabs of one device (regressions)', () => {
  it('P3 a visit saved in one tab survives another tab compacting the record while their tab link is down (Work offline)', async () => {
    const { world, device, a, b } = await twoTabsWorkingOffline(1);

    const ctcId = await register(a);
    const inB = await visit(b, ctcId);
    const inA = await visit(a, ctcId, '2026-03-09');
    // Tab A compacts the record: its merge must not drop what tab B stored meanwhile.
    await world.restart(device);
    const reopened = device.tabs[0] as Tab;
    expect(await visitIds(reopened, ctcId)).toEqual([inA, inB].sort());
    const saved: Saved[] = [
      { tab: a.id, ctcId, kind: 'registration' },
      { tab: b.id, ctcId, kind: 'visit', entryId: inB },
      { tab: a.id, ctcId, kind: 'visit', entryId: inA },
    ];
    await world.healAll();
    expect(await problemsAfterHealing(world, saved)).toEqual([]);
  });

  it('P3 a register summary written in one tab survives another tab compacting the register (Work offline)', async () => {
    const { world, device, a, b } = await twoTabsWorkingOffline(2);

    const first = await register(a);
    const second = await register(b);
    const third = await register(a);
    // Tab B closes, then the device restarts: only storage can still have B's summary.
    await world.closeTab(b);
    await world.restart(device);
    const saved: Saved[] = [first, second, third].map((ctcId) => ({
      tab: ctcId === second ? b.id : a.id,
      ctcId,
      kind: 'registration' as const,
    }));
    expect(await problemsAfterHealing(world, saved)).toEqual([]);
  });
});

/** Two devices (Mbezi slot 1, and `second`), no tab open yet (sets `world`, which `afterEach` disposes). */
async function twoDevices(seed: number, second: DeviceSpec) {
  world = await createWorld({
    seed,
    devices: [{ facility: MBEZI, slot: '1' }, second],
    compactAfter: 32,
  });
  const [d0, d1] = world.devices;
  if (!d0 || !d1) throw new Error('no devices');
  return { world, devices: [d0, d1] as const };
}

describe('real stack: devices and the leading tab (regressions)', () => {
  it('M1 a visit saved in a tab that does not lead reaches other devices, also after reconnecting', async () => {
    const { world, devices } = await twoDevices(3, { facility: MBEZI, slot: '2' });
    const [d0, d1] = devices;
    const other = await world.openTab(d1);
    await world.openTab(d0);
    await world.settle();
    const ctcId = await register(other);
    await world.settle();
    // After a restart the leading tab has not opened the record; the second tab writes to it.
    await world.restart(d0);
    const follower = await world.openTab(d0);
    await world.settle();
    const written = await visit(follower, ctcId);
    await world.settle();
    expect(await visitIds(other, ctcId), 'forwarded live').toEqual([written]);
    await world.healAll();
    expect(await visitIds(other, ctcId), 'after reconnecting').toEqual([written]);
  });

  it('H3 a record first written in a tab that does not lead is completed from other devices', async () => {
    const { world, devices } = await twoDevices(4, { facility: TEMEKE, slot: '1' });
    const [mbezi, temeke] = devices;
    const registrar = await world.openTab(mbezi);
    await world.openTab(temeke);
    const follower = await world.openTab(temeke);
    await world.settle();
    const ctcId = await register(registrar);
    await world.settle();
    // Temeke finds the patient in the network directory and records a visit before the record
    // has arrived (allowed: the record merges in when it does).
    const written = await visit(follower, ctcId);
    await world.healAll();
    const saved: Saved[] = [
      { tab: registrar.id, ctcId, kind: 'registration' },
      { tab: follower.id, ctcId, kind: 'visit', entryId: written },
    ];
    expect(await problemsAfterHealing(world, saved)).toEqual([]);
    expect(await visitIds(registrar, ctcId)).toEqual([written]);
  });

  it('M1 a registration saved in a tab that then closes reaches other devices while another tab keeps the register open', async () => {
    const { world, devices } = await twoDevices(5, { facility: MBEZI, slot: '2' });
    const [d0, d1] = devices;
    await world.openTab(d0);
    const other = await world.openTab(d1);
    const second = await world.openTab(d0);
    await world.settle();
    // Work offline: the second tab registers a patient and is closed before going online again.
    world.setWorkOffline(d0, true);
    const ctcId = await register(second);
    await world.closeTab(second);
    world.setWorkOffline(d0, false);
    await world.healAll();
    const saved: Saved[] = [{ tab: second.id, ctcId, kind: 'registration' }];
    expect(await problemsAfterHealing(world, saved)).toEqual([]);
    expect((await other.service.search(ctcId)).map((hit) => hit.ctcId)).toEqual([ctcId]);
  });
});
